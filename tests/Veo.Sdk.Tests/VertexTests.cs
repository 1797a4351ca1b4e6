namespace Veo.Sdk.Tests;

/// <summary>The Vertex AI surface: bearer token, fetchPredictOperation polling, inline video bytes.</summary>
public sealed class VertexTests
{
    [Fact]
    public async Task Should_generate_and_return_the_video_when_using_vertex_ai()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31FastVertex) with { AspectRatio = VeoAspectRatios.Landscape });
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var video = Assert.Single(result.GetVideosOrThrow());
        using var destination = new MemoryStream();
        var written = await client.DownloadVideoAsync(video, destination);

        // assert
        Assert.StartsWith("projects/test-project/locations/us-central1/publishers/google/models/veo-3.1-fast-generate-001/operations/", operation.Name, StringComparison.Ordinal);
        Assert.Equal(destination.Length, written);
        Assert.True(Mp4.StartsWithFtypBox(destination.ToArray()));
        Assert.Equal(1, simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_reattach_to_a_vertex_operation_from_a_fresh_client()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var name = (await new VeoClient(TestClients.VertexOptions(simulator)).StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex))).Name;

        // act
        var result = await new VeoClient(TestClients.VertexOptions(simulator)).GetGenerateVideoOperation(name).WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
    }

    [Fact]
    public async Task Should_report_a_filtered_vertex_generation()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:filtered]", VeoModels.Veo31Vertex));
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.IsType<GenerateVideoResult.Filtered>(result);
    }

    [Fact]
    public async Task Should_refuse_the_call_when_the_token_is_wrong()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator, o => o.AccessTokenProvider = _ => ValueTask.FromResult("expired-token")));

        // act
        var thrown = await Assert.ThrowsAsync<VeoAuthenticationException>(() => client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex)));

        // assert
        Assert.Equal(401, thrown.Status);
        Assert.Equal("VeoClientOptions.AccessTokenProvider", thrown.CredentialSource);
        Assert.DoesNotContain("expired-token", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_refuse_a_gemini_operation_name_on_a_vertex_client_before_any_request()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        // act
        var thrown = Assert.Throws<ArgumentException>(() => client.GetGenerateVideoOperation("models/veo-3.1-generate-preview/operations/abc123def456"));

        // assert
        Assert.Contains("Gemini API operation", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, simulator.GetStats().Polls);
    }
}

/// <summary>generateAudio: sent on Vertex AI, refused before any call on the Gemini API.</summary>
public sealed class GenerateAudioTests
{
    [Fact]
    public async Task Should_generate_with_generate_audio_on_vertex()
    {
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex) with { GenerateAudio = false });
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<GenerateVideoResult.Succeeded>(result);
    }

    [Fact]
    public async Task Should_refuse_generate_audio_on_the_gemini_api_before_any_call()
    {
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        var thrown = await Assert.ThrowsAsync<VeoValidationException>(() => client.StartGenerateVideoAsync(TestClients.Request() with { GenerateAudio = true }));

        Assert.Contains("GenerateAudio", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, simulator.GetStats().StartRequests);
    }
}

/// <summary>compressionQuality, resizeMode and labels: sent on Vertex AI, refused before any call on the Gemini API.</summary>
public sealed class VertexOutputSettingsTests
{
    private static readonly VeoImage FirstFrame = new(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png");

    [Fact]
    public async Task Should_generate_on_vertex_with_compression_quality_resize_mode_and_labels()
    {
        // arrange: the simulator refuses unknown values and misplaced fields as Google does
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));
        var request = TestClients.Request(model: VeoModels.Veo31Vertex) with
        {
            Image = FirstFrame,
            CompressionQuality = VeoCompressionQuality.Lossless,
            ResizeMode = VeoResizeModes.Pad,
            Labels = new Dictionary<string, string> { ["team"] = "ads", ["campaign-id"] = "c_42" },
        };

        // act
        var operation = await client.StartGenerateVideoAsync(request);
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
    }

    public static TheoryData<string, GenerateVideoRequest> VertexOnly => new()
    {
        { nameof(GenerateVideoRequest.CompressionQuality), TestClients.Request() with { CompressionQuality = VeoCompressionQuality.Optimized } },
        { nameof(GenerateVideoRequest.ResizeMode), TestClients.Request() with { Image = FirstFrame, ResizeMode = VeoResizeModes.Crop } },
        { nameof(GenerateVideoRequest.Labels), TestClients.Request() with { Labels = new Dictionary<string, string> { ["team"] = "ads" } } },
        { nameof(GenerateVideoRequest.Seed), TestClients.Request() with { Seed = 42 } },
        { nameof(GenerateVideoRequest.StorageUri), TestClients.Request() with { StorageUri = "gs://veo-out/videos/" } },
    };

    [Theory]
    [MemberData(nameof(VertexOnly))]
    public async Task Should_refuse_vertex_only_settings_on_the_gemini_api_before_any_call(string setting, GenerateVideoRequest request)
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var thrown = await Assert.ThrowsAsync<VeoValidationException>(() => client.StartGenerateVideoAsync(request));

        // assert
        Assert.Equal(setting, thrown.ParamName);
        Assert.Contains("Vertex AI parameter", thrown.Rule, StringComparison.Ordinal);
        Assert.Equal(0, simulator.GetStats().StartRequests);
    }

    public static TheoryData<string, GenerateVideoRequest> Invalid => new()
    {
        { nameof(GenerateVideoRequest.CompressionQuality), TestClients.Request() with { CompressionQuality = "lossless" } },
        { nameof(GenerateVideoRequest.ResizeMode), TestClients.Request() with { ResizeMode = VeoResizeModes.Crop } },
        { nameof(GenerateVideoRequest.ResizeMode), TestClients.Request() with { Image = FirstFrame, ResizeMode = "STRETCH" } },
        { nameof(GenerateVideoRequest.Labels), TestClients.Request() with { Labels = new Dictionary<string, string> { ["Team"] = "ads" } } },
        { nameof(GenerateVideoRequest.Labels), TestClients.Request() with { Labels = new Dictionary<string, string> { ["team"] = new string('a', 64) } } },
        { nameof(GenerateVideoRequest.Labels), TestClients.Request() with { Labels = Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", _ => "v") } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Should_name_the_setting_when_its_value_breaks_googles_rule(string parameter, GenerateVideoRequest request)
    {
        // act
        var thrown = Assert.Throws<VeoValidationException>(request.Validate);

        // assert
        Assert.Equal(parameter, thrown.ParamName);
    }
}
