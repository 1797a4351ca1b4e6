using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Veo.Sdk.Internal;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// The JSON of Veo operations as the SDK reads and writes it (source-generated <c>VeoJsonContext</c>): every poll parses
/// an operation, every start writes a request body. Wire shapes as Google documents them (and the simulator sends them).
/// </summary>
public class VeoOperationJsonBenchmarks
{
    private const string Name = "models/veo-3.1-fast-generate-preview/operations/8d1e6c2b4f0a";

    private static readonly byte[] Running = Encoding.UTF8.GetBytes($$$$"""
        {"name":"{{{{Name}}}}","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata"}}
        """);

    private static readonly byte[] DoneWithVideo = Encoding.UTF8.GetBytes($$$$"""
        {"name":"{{{{Name}}}}","done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
         "generateVideoResponse":{"generatedSamples":[{"video":{"uri":"https://generativelanguage.googleapis.com/v1beta/files/3k9x2m7q1w8e:download?alt=media"}}]}}}
        """);

    private static readonly byte[] DoneFiltered = Encoding.UTF8.GetBytes($$$$"""
        {"name":"{{{{Name}}}}","done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
         "generateVideoResponse":{"raiMediaFilteredCount":1,"raiMediaFilteredReasons":["Your current safety settings for person generation blocked 1 video. Support codes: 58061214"]}}}
        """);

    private readonly PredictLongRunningRequest _start = new()
    {
        Instances = [new VideoInstance { Prompt = Throughput.BenchmarkRequests.Prompt("micro", 7) }],
        Parameters = new VideoParameters { AspectRatio = VeoAspectRatios.Portrait, DurationSeconds = 8, Resolution = VeoResolutions.Hd720, Seed = 9831 },
    };

    [Benchmark(Baseline = true)]
    public VeoOperationStatus Parse_running_operation() => Parse(Running);

    [Benchmark]
    public VeoOperationStatus Parse_done_operation_with_video() => Parse(DoneWithVideo);

    [Benchmark]
    public VeoOperationStatus Parse_done_filtered_operation() => Parse(DoneFiltered);

    [Benchmark]
    public byte[] Serialize_start_request() => JsonSerializer.SerializeToUtf8Bytes(_start, VeoJsonContext.Default.PredictLongRunningRequest);

    private static VeoOperationStatus Parse(byte[] json)
    {
        var operation = JsonSerializer.Deserialize(json, VeoJsonContext.Default.OperationResource)!;
        return OperationParser.ToStatus(operation, operation.Name!, suggestedPollDelay: null);
    }
}
