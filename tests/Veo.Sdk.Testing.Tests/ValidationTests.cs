using System.Net;

namespace Veo.Sdk.Testing.Tests;

/// <summary>Requests Google would refuse are refused with 400/404 naming what is wrong, and start nothing.</summary>
public sealed class ValidationTests
{
    [Fact]
    public async Task Should_answer_404_NOT_FOUND_naming_the_model_when_the_model_is_unknown()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody(), model: "veo-9.9-imaginary");
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = json.GetProperty("error");
        Assert.Equal("NOT_FOUND", error.GetProperty("status").GetString());
        Assert.StartsWith("models/veo-9.9-imaginary is not found for API version v1beta", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(new VeoSimulatorStats(0, 0, 0, 0, 0, 1, 1), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_accept_a_model_when_it_is_added_to_the_known_models()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o => o.KnownModels.Add("veo-4.0-generate-preview"));

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody(), model: "veo-4.0-generate-preview");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string, string> InvalidRequests() => new()
    {
        // model, body, the field the error must name
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"aspectRatio":"4:3"}}""", "parameters.aspectRatio" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"durationSeconds":5}}""", "parameters.durationSeconds" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"durationSeconds":"ten"}}""", "parameters.durationSeconds" },
        { "veo-2.0-generate-001", """{"instances":[{"prompt":"a cat"}],"parameters":{"durationSeconds":4}}""", "parameters.durationSeconds" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"1080p","durationSeconds":4}}""", "parameters.durationSeconds" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"4k","durationSeconds":6}}""", "parameters.durationSeconds" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"480p"}}""", "parameters.resolution" },
        { "veo-3.0-generate-001", """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"4k"}}""", "parameters.resolution" },
        { "veo-2.0-generate-001", """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"1080p"}}""", "parameters.resolution" },
        { TestSimulator.Model, """{"instances":[{"prompt":"   "}]}""", "instances[0].prompt" },
        { TestSimulator.Model, """{"instances":[{}]}""", "instances[0].prompt" },
        { TestSimulator.Model, """{"instances":[]}""", "instances" },
        { TestSimulator.Model, """{"parameters":{}}""", "instances" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"sampleCount":2}}""", "parameters.sampleCount" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"sampleCount":0}}""", "parameters.sampleCount" },
        { "veo-2.0-generate-001", """{"instances":[{"prompt":"a cat"}],"parameters":{"sampleCount":3}}""", "parameters.sampleCount" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"personGeneration":"everyone"}}""", "parameters.personGeneration" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"personGeneration":"dont_allow"}}""", "parameters.personGeneration" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","image":{"bytesBase64Encoded":"iVBORw0K","mimeType":"image/png"}}],"parameters":{"personGeneration":"allow_all"}}""", "parameters.personGeneration" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"seed":-1}}""", "parameters.seed" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"seed":4294967296}}""", "parameters.seed" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"seed":9831}}""", "parameters.seed" },   // the Gemini API takes no seed
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","image":{"bytesBase64Encoded":"not base64!","mimeType":"image/png"}}]}""", "instances[0].image" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","image":{"bytesBase64Encoded":"iVBORw0K","mimeType":"text/plain"}}]}""", "instances[0].image.mimeType" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","image":{"gcsUri":"gs://b/cat.png","mimeType":"image/png"}}]}""", "instances[0].image.gcsUri" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","lastFrame":{"bytesBase64Encoded":"iVBORw0K","mimeType":"image/png"}}]}""", "instances[0].lastFrame" },
        { "veo-3.0-generate-001", """{"instances":[{"prompt":"a cat","referenceImages":[{"image":{"bytesBase64Encoded":"iVBORw0K","mimeType":"image/png"},"referenceType":"asset"}]}]}""", "instances[0].referenceImages" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"storageUri":"gs://bucket/out/"}}""", "parameters.storageUri" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"enhancePrompt":"yes"}}""", "parameters.enhancePrompt" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat [sim:explode]"}]}""", "instances[0].prompt" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat [sim:brokendownload=101]"}]}""", "instances[0].prompt" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat [sim:brokendownload=-1]"}]}""", "instances[0].prompt" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Should_answer_400_INVALID_ARGUMENT_naming_the_field_when_a_parameter_is_invalid_for_the_model(string model, string body, string field)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(body, model);
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = json.GetProperty("error");
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("status").GetString());
        var leaf = field[(field.LastIndexOf('.') + 1)..].Split('[')[0];
        Assert.Contains(leaf, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var violation = error.GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest")
            .GetProperty("fieldViolations")[0];
        Assert.Equal(field, violation.GetProperty("field").GetString());
        Assert.Equal(0, sim.Simulator.GetStats().OperationsStarted);
        Assert.Equal(1, sim.Simulator.GetStats().RejectedStarts);
    }

    public static TheoryData<string, string> ValidRequests() => new()
    {
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"aspectRatio":"9:16","durationSeconds":"4","resolution":"720p","personGeneration":"allow_all","negativePrompt":"dogs","enhancePrompt":true,"sampleCount":1}}""" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"4k","durationSeconds":8}}""" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat"}],"parameters":{"resolution":"1080p"}}""" },
        { TestSimulator.Model, """{"instances":[{"image":{"bytesBase64Encoded":"iVBORw0K","mimeType":"image/png"}}],"parameters":{"personGeneration":"allow_adult"}}""" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","image":{"bytesBase64Encoded":"iVBORw0K","mimeType":"image/png"},"lastFrame":{"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}}}]}""" },
        { TestSimulator.Model, """{"instances":[{"prompt":"a cat","referenceImages":[{"image":{"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}},"referenceType":"asset"}]}],"parameters":{"durationSeconds":8}}""" },
        { "veo-2.0-generate-001", """{"instances":[{"prompt":"a cat"}],"parameters":{"durationSeconds":5,"sampleCount":2,"personGeneration":"dont_allow"}}""" },
        { "veo-3.0-fast-generate-001", """{"instances":[{"prompt":"a cat [SIM:Latency=0.5]"}],"parameters":{"resolution":"1080p","durationSeconds":8}}""" },
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public async Task Should_start_the_generation_when_the_parameters_are_valid_for_the_model(string model, string body)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(body, model);

        // assert
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, sim.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_400_INVALID_ARGUMENT_when_the_body_is_not_json()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync("{\"instances\": [");
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Invalid JSON payload received.", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_throw_naming_the_setting_when_the_options_are_invalid()
    {
        // arrange
        var options = new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(5), MaxLatency = TimeSpan.FromSeconds(1) };

        // act
        var error = Assert.Throws<ArgumentException>(options.Validate);

        // assert
        Assert.Equal(nameof(VeoSimulatorOptions.MaxLatency), error.ParamName);
    }

    [Fact]
    public async Task Should_refuse_an_outcome_when_it_cannot_be_played()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act + assert
        Assert.Throws<ArgumentException>(() => sim.Simulator.Enqueue(new SimulatedOutcome.HttpError(200, "OK", "fine")));
        Assert.Throws<ArgumentException>(() => sim.Simulator.Enqueue(new SimulatedOutcome.OperationError(0, "no code")));
        Assert.Throws<ArgumentException>(() => sim.Simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(1), new SimulatedOutcome.Success(TimeSpan.FromSeconds(-1)))));
    }
}
