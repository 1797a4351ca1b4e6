namespace Veo.Sdk.Tests;

/// <summary>Bad input fails with an ArgumentException that says what is wrong, and nothing reaches Veo.</summary>
public sealed class ValidationTests
{
    public static TheoryData<string, GenerateVideoRequest> InvalidRequests => new()
    {
        { "prompt", TestClients.Request(prompt: "   ") },
        { "model", TestClients.Request(model: "") },
        { "model", TestClients.Request(model: "veo-3.1/../../files") },
        { "Duration 5", TestClients.Request() with { DurationSeconds = 5 } },
        { "requires a duration of 8", TestClients.Request() with { Resolution = VeoResolutions.FullHd1080, DurationSeconds = 4 } },
        { "requires a duration of 8", TestClients.Request() with { Resolution = VeoResolutions.Uhd4K, DurationSeconds = 6 } },
        { "Seed -1", TestClients.Request() with { Seed = -1 } },
        { "Seed 4294967296", TestClients.Request() with { Seed = 4_294_967_296 } },
        { "Aspect ratio '4:3'", TestClients.Request() with { AspectRatio = "4:3" } },
        { "Resolution '480p'", TestClients.Request() with { Resolution = "480p" } },
        { "Sample count 5", TestClients.Request() with { SampleCount = 5 } },
        { "Person generation", TestClients.Request() with { PersonGeneration = "everyone" } },
        { "no bytes", TestClients.Request() with { Image = new VeoImage(Array.Empty<byte>(), "image/png") } },
        { "media type 'text/plain'", TestClients.Request() with { Image = new VeoImage(new byte[] { 1 }, "text/plain") } },
        { "needs a first frame", TestClients.Request() with { LastFrame = new VeoImage(new byte[] { 1 }, "image/png") } },
        { "at most 3", TestClients.Request() with { ReferenceImages = Enumerable.Repeat(new VeoReferenceImage(new VeoImage(new byte[] { 1 }, "image/png")), 4).ToArray() } },
        { "use 5 to 8 seconds", TestClients.Request(model: VeoModels.Veo20) with { DurationSeconds = 4 } },
        { "720p only", TestClients.Request(model: VeoModels.Veo20) with { Resolution = VeoResolutions.FullHd1080, DurationSeconds = 8 } },
        { "aspect ratio 16:9", TestClients.Request() with { AspectRatio = VeoAspectRatios.Portrait, ReferenceImages = [new VeoReferenceImage(new VeoImage(new byte[] { 1 }, "image/png"))] } },
        { "cannot be combined", TestClients.Request() with { Image = new VeoImage(new byte[] { 1 }, "image/png"), ReferenceImages = [new VeoReferenceImage(new VeoImage(new byte[] { 1 }, "image/png"))] } },
    };

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public async Task Should_accept_the_durations_veo_2_takes(int seconds)
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo20) with { DurationSeconds = seconds });

        // assert
        Assert.False(string.IsNullOrEmpty(operation.Name));
        Assert.Equal(1, simulator.GetStats().OperationsStarted);
    }

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Should_throw_an_argument_exception_and_send_nothing_when_the_request_is_invalid(string expectedInMessage, GenerateVideoRequest request)
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var thrown = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.StartGenerateVideoAsync(request));

        // assert
        Assert.Contains(expectedInMessage, thrown.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, simulator.GetStats().StartRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("operations")]
    [InlineData("models/veo-3.1-generate-preview/operations/../../files/x")]
    [InlineData("models/veo-3.1-generate-preview/operations/abc?key=x")]
    [InlineData("/models/veo-3.1-generate-preview/operations/abc")]
    [InlineData("projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/1")]
    public async Task Should_refuse_a_malformed_operation_name_before_polling(string name)
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var polled = await Record.ExceptionAsync(() => client.GetOperationStatusAsync(name));
        var attached = Record.Exception(() => client.GetGenerateVideoOperation(name));

        // assert
        Assert.IsAssignableFrom<ArgumentException>(polled);
        Assert.IsAssignableFrom<ArgumentException>(attached);
        Assert.Equal(0, simulator.GetStats().Polls);
    }

    [Fact]
    public async Task Should_answer_not_found_for_a_well_formed_name_the_server_does_not_know()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.GetOperationStatusAsync("models/veo-3.1-generate-preview/operations/zzzzzzzzzzzz"));

        // assert
        Assert.Equal(404, thrown.Status);
    }

    [Fact]
    public void Should_name_the_missing_key_and_its_environment_variable_when_creating_a_client_without_a_key()
    {
        // act
        var thrown = Assert.Throws<ArgumentException>(() => new VeoClient(new VeoClientOptions()));

        // assert
        Assert.Contains("Veo:ApiKey", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Veo__ApiKey", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ask_for_the_project_when_a_vertex_client_has_neither_a_project_nor_credentials_naming_one()
    {
        // act
        var thrown = Assert.Throws<ArgumentException>(() => new VeoClient(new VeoClientOptions { Backend = VeoBackend.VertexAi }));

        // assert: credentials are not required up front (Application Default Credentials are looked up at the first call)
        Assert.Contains("Veo:ProjectId", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_CLOUD_PROJECT", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccessTokenProvider", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_relative_base_url_and_out_of_range_values()
    {
        // act
        var thrown = Assert.Throws<ArgumentException>(() => new VeoClient(new VeoClientOptions
        {
            ApiKey = "k",
            BaseUrl = new Uri("/relative", UriKind.Relative),
            MaxRetries = 50,
        }));

        // assert
        Assert.Contains("Veo:BaseUrl", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetries", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_not_be_affected_by_later_changes_to_the_options_instance()
    {
        // arrange
        var options = new VeoClientOptions { ApiKey = "k", BaseUrl = new Uri("http://127.0.0.1:1/") };
        var client = new VeoClient(options);

        // act
        options.BaseUrl = new Uri("http://127.0.0.1:2/");

        // assert
        Assert.Contains("127.0.0.1:1", client.ToString(), StringComparison.Ordinal);
    }
}
