using Veo.Sdk.Flow;

namespace Veo.Sdk.Tests;

/// <summary>The Flow model-key table of veo-api.md §3.6 and §6: what maps, and what must be refused.</summary>
public sealed class FlowVocabularyTests
{
    public static TheoryData<string, string?, string, string?, string?, int, string?, FlowGenerationMode> Mappings => new()
    {
        // key, flow aspect ratio, Gemini model, Vertex model, aspect ratio, duration, resolution, mode
        { "veo_3_1_t2v_portrait", "VIDEO_ASPECT_RATIO_PORTRAIT", VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_portrait", null, VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_landscape", "VIDEO_ASPECT_RATIO_UNSPECIFIED", VeoModels.Veo31, VeoModels.Veo31Vertex, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v", "VIDEO_ASPECT_RATIO_PORTRAIT", VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v", null, VeoModels.Veo31, VeoModels.Veo31Vertex, null, 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast", "VIDEO_ASPECT_RATIO_LANDSCAPE", VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_landscape", "VIDEO_ASPECT_RATIO_LANDSCAPE", VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_portrait", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_ultra", "VIDEO_ASPECT_RATIO_LANDSCAPE", VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_portrait_ultra", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_ultra_relaxed", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_low_priority", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_lite", "VIDEO_ASPECT_RATIO_PORTRAIT", VeoModels.Veo31Lite, VeoModels.Veo31LiteVertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_lite_landscape", null, VeoModels.Veo31Lite, VeoModels.Veo31LiteVertex, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_portrait_4s", null, VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 4, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_portrait_6s", "VIDEO_ASPECT_RATIO_PORTRAIT", VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 6, null, FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_1080p", null, VeoModels.Veo31, VeoModels.Veo31Vertex, null, 8, "1080p", FlowGenerationMode.TextToVideo },
        { "veo_3_1_t2v_fast_4k", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, "4k", FlowGenerationMode.TextToVideo },
        { "veo_3_1_i2v_s_fast", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, null, FlowGenerationMode.ImageToVideo },
        { "veo_3_1_i2v_s_fast_fl", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, null, FlowGenerationMode.FirstAndLastFrame },
        { "veo_3_1_i2v_s_fast_portrait_fl", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "9:16", 8, null, FlowGenerationMode.FirstAndLastFrame },
        { "veo_3_1_interpolation", null, VeoModels.Veo31, VeoModels.Veo31Vertex, null, 8, null, FlowGenerationMode.FirstAndLastFrame },
        { "veo_3_1_r2v_fast", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, null, 8, null, FlowGenerationMode.ReferenceToVideo },
        { "veo_3_1_r2v_fast_portrait", null, VeoModels.Veo31Fast, VeoModels.Veo31FastVertex, "9:16", 8, null, FlowGenerationMode.ReferenceToVideo },
        { "veo_3_0_t2v_fast", "VIDEO_ASPECT_RATIO_LANDSCAPE", VeoModels.Veo30Fast, VeoModels.Veo30Fast, "16:9", 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_0_t2v", null, VeoModels.Veo30, VeoModels.Veo30, null, 8, null, FlowGenerationMode.TextToVideo },
        { "veo_3_0_t2v_fast_1080p", null, VeoModels.Veo30Fast, VeoModels.Veo30Fast, null, 8, "1080p", FlowGenerationMode.TextToVideo },
        { "veo_2_0_t2v", null, VeoModels.Veo20, VeoModels.Veo20, null, 8, null, FlowGenerationMode.TextToVideo },
        { "VEO_3_1_T2V_PORTRAIT", null, VeoModels.Veo31, VeoModels.Veo31Vertex, "9:16", 8, null, FlowGenerationMode.TextToVideo },
    };

    [Theory]
    [MemberData(nameof(Mappings))]
    public void Should_map_the_key_onto_gemini_and_vertex_parameters(
        string key, string? flowAspectRatio, string geminiModel, string? vertexModel, string? aspectRatio, int duration, string? resolution, FlowGenerationMode mode)
    {
        // act
        var settings = FlowVocabulary.ParseModelKey(key, flowAspectRatio);

        // assert
        Assert.Equal(key.ToLowerInvariant(), settings.ModelKey);
        Assert.Equal(geminiModel, settings.GeminiModel);
        Assert.Equal(vertexModel, settings.VertexModel);
        Assert.Equal(aspectRatio, settings.AspectRatio);
        Assert.Equal(duration, settings.DurationSeconds);
        Assert.Equal(resolution, settings.Resolution);
        Assert.Equal(mode, settings.Mode);
    }

    public static TheoryData<string, string?, string> Refusals => new()
    {
        // key, flow aspect ratio, expected in the message
        { "veo_3_1_t2v_portrait", "VIDEO_ASPECT_RATIO_LANDSCAPE", "portrait" },
        { "veo_3_1_t2v_landscape", "VIDEO_ASPECT_RATIO_PORTRAIT", "landscape" },
        { "veo_3_1_t2v", "VIDEO_ASPECT_RATIO_SQUARE", "VIDEO_ASPECT_RATIO_SQUARE" },
        { "veo_3_1_t2v_portrait_landscape", null, "both portrait and landscape" },
        { "veo_3_1_t2v_fast_lite", null, "both" },
        { "veo_3_1_t2v_fast_fast", null, "repeats" },
        { "veo_3_1_t2v_portrait_4s_6s", null, "two durations" },
        { "veo_3_1_t2v_supersonic", null, "unknown part" },
        { "veo_3_1_v2v", null, "unknown mode" },
        { "veo_3_1_upsampler_1080p", null, "upsampler" },
        { "veo_4_0_t2v", null, "version 4.0" },
        { "veo_3_1", null, "form" },
        { "sora_2_0_t2v", null, "form" },
        { "veo__3_1_t2v", null, "form" },
        { "", null, "required" },
        { "veo_3_1_t2v_fl", null, "'_fl'" },
        { "veo_3_0_t2v_lite", null, "does not exist" },
        { "veo_2_0_t2v_fast", null, "does not exist" },
        { "veo_3_1_t2v_portrait_4s_1080p", null, "8 seconds only" },
        { "veo_3_1_t2v_lite_4k", null, "does not generate" },
        { "veo_3_0_t2v_4k", null, "does not generate" },
        { "veo_2_0_t2v_1080p", null, "does not generate" },
        { "veo_2_0_t2v_4s", null, "5 to 8" },
        { "veo_3_0_r2v_fast", null, "only Veo 3.1" },
        { "veo_3_1_r2v_fast_4s", null, "reference-image generation is 8 seconds only" },
        { "veo_3_1_t2v_fast_relaxed_low_priority", null, "both '_relaxed' and '_low_priority'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Should_refuse_the_key_and_name_it(string key, string? flowAspectRatio, string expectedInMessage)
    {
        // act
        var thrown = Assert.Throws<FlowVocabularyException>(() => FlowVocabulary.ParseModelKey(key, flowAspectRatio));
        var parsed = FlowVocabulary.TryParseModelKey(key, flowAspectRatio, out var settings, out var error);

        // assert
        Assert.Contains(expectedInMessage, thrown.Message, StringComparison.Ordinal);
        if (key.Length > 0)
        {
            Assert.Contains($"'{key}'", thrown.Message, StringComparison.Ordinal);
        }

        Assert.False(parsed);
        Assert.Null(settings);
        Assert.Equal(error, thrown.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
    }

    [Fact]
    public void Should_accept_every_known_key()
    {
        // act + assert
        Assert.All(FlowVocabulary.KnownModelKeys, key => Assert.True(FlowVocabulary.TryParseModelKey(key, null, out _, out var error), error));
    }

    [Theory]
    [InlineData("VIDEO_ASPECT_RATIO_PORTRAIT", "9:16")]
    [InlineData("VIDEO_ASPECT_RATIO_LANDSCAPE", "16:9")]
    [InlineData("VIDEO_ASPECT_RATIO_UNSPECIFIED", null)]
    [InlineData(null, null)]
    public void Should_map_flow_aspect_ratios(string? flow, string? expected)
        => Assert.Equal(expected, FlowVocabulary.MapAspectRatio(flow));

    [Fact]
    public void Should_refuse_an_unknown_aspect_ratio_naming_it()
    {
        var thrown = Assert.Throws<FlowVocabularyException>(() => FlowVocabulary.MapAspectRatio("VIDEO_ASPECT_RATIO_SQUARE"));
        Assert.Contains("VIDEO_ASPECT_RATIO_SQUARE", thrown.Message, StringComparison.Ordinal);
        Assert.Equal("VIDEO_ASPECT_RATIO_SQUARE", thrown.Value);
    }

    [Fact]
    public void Should_map_the_lite_keys_to_vertex_lite_on_vertex()
    {
        var settings = FlowVocabulary.ParseModelKey("veo_3_1_t2v_lite");
        Assert.Equal(VeoModels.Veo31LiteVertex, settings.ToRequest("p", VeoBackend.VertexAi).Model);
        Assert.Equal(VeoModels.Veo31Lite, settings.ToRequest("p", VeoBackend.GeminiApi).Model);
    }

    [Fact]
    public async Task Should_generate_through_the_simulator_from_the_seed_vocabulary()
    {
        // arrange: the original system's request
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        var request = FlowVocabulary.ParseModelKey("veo_3_1_t2v_portrait", "VIDEO_ASPECT_RATIO_PORTRAIT")
            .ToRequest("A cat surfing at sunset", VeoBackend.GeminiApi, seed: 9831);

        // act
        var operation = await client.StartGenerateVideoAsync(request);
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert: the Gemini API takes no seed, so none is sent there; Vertex AI gets it
        Assert.Equal(new GenerateVideoRequest
        {
            Model = VeoModels.Veo31, Prompt = "A cat surfing at sunset", AspectRatio = "9:16", DurationSeconds = 8,
        }, request);
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        Assert.Equal(9831, FlowVocabulary.ParseModelKey("veo_3_1_t2v_portrait").ToRequest("A cat", VeoBackend.VertexAi, seed: 9831).Seed);
    }
}
