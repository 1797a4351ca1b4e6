using BenchmarkDotNet.Attributes;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>Cost of checking a request before any I/O, paid once per submit on the caller's thread.</summary>
public class RequestValidationBenchmarks
{
    private readonly GenerateVideoRequest _textToVideo = Throughput.BenchmarkRequests.Veo("micro", 1);

    private readonly GenerateVideoRequest _longPrompt = Throughput.BenchmarkRequests.Veo("micro", 2) with
    {
        Prompt = string.Concat(Enumerable.Repeat("A slow dolly shot along a pier at dusk, gulls overhead. ", 70)),
        Resolution = VeoResolutions.FullHd1080,
        NegativePrompt = "text, watermark",
    };

    [Benchmark(Baseline = true)]
    public void Validate_text_to_video() => _textToVideo.Validate();

    [Benchmark]
    public void Validate_4000_character_prompt() => _longPrompt.Validate();
}
