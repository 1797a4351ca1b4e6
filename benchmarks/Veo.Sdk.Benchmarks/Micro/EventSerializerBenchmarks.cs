using Akka.Actor;
using Akka.Serialization;
using BenchmarkDotNet.Attributes;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// The engine's event serializer (compact binary, <c>VideoTaskSerializer</c>) against Akka's default JSON serializer for
/// the same events: every journaled event is serialized once and read back on each recovery. (The JSON serializer cannot
/// read these events back at all: <c>VideoTaskId</c> has no constructor Newtonsoft.Json can use, so only its write is timed.)
/// </summary>
[MemoryDiagnoser]
public class EventSerializerBenchmarks
{
    private ActorSystem? _system;
    private VideoTaskSerializer? _binary;
    private Serializer? _json;
    private byte[][] _binaryBytes = [];
    private string[] _manifests = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("serializer-bench");
        _binary = new VideoTaskSerializer((ExtendedActorSystem)_system);
        _json = new NewtonSoftJsonSerializer((ExtendedActorSystem)_system);
        _binaryBytes = [.. EngineSamples.History.Select(e => _binary.ToBinary(e))];
        _manifests = [.. EngineSamples.History.Select(e => _binary.Manifest(e))];
        Console.WriteLine($"// journal payload per task: binary {_binaryBytes.Sum(b => b.Length)} B, JSON {EngineSamples.History.Sum(e => _json.ToBinary(e).Length)} B");
    }

    [GlobalCleanup]
    public void Cleanup() => _system?.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(Baseline = true, Description = "binary: write a task's 4 events")]
    public int Binary_write()
    {
        var total = 0;
        foreach (var e in EngineSamples.History)
        {
            total += _binary!.ToBinary(e).Length;
        }

        return total;
    }

    [Benchmark(Description = "binary: read a task's 4 events")]
    public object Binary_read()
    {
        object last = null!;
        for (var i = 0; i < _binaryBytes.Length; i++)
        {
            last = _binary!.FromBinary(_binaryBytes[i], _manifests[i]);
        }

        return last;
    }

    [Benchmark(Description = "Akka default JSON: write the same 4 events")]
    public int Json_write()
    {
        var total = 0;
        foreach (var e in EngineSamples.History)
        {
            total += _json!.ToBinary(e).Length;
        }

        return total;
    }
}
