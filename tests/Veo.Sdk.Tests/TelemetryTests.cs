using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Veo.Sdk.Tests;

/// <summary>The "Veo.Sdk" meter and activity source report what happened.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Should_count_requests_and_errors_and_record_the_generation_duration()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VeoTelemetry.SourceName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.Start();
        var activities = new ConcurrentBag<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == VeoTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(activityListener);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("telemetry"));
        await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request("telemetry [sim:500]")));

        // assert (other tests run in parallel, so look for this test's own measurements)
        Assert.Contains(measurements, m => m.Instrument == VeoTelemetry.RequestsInstrument && Equals(m.Tags["veo.call"], "start"));
        Assert.Contains(measurements, m => m.Instrument == VeoTelemetry.RequestsInstrument && Equals(m.Tags["veo.call"], "poll"));
        Assert.Contains(measurements, m => m.Instrument == VeoTelemetry.ErrorsInstrument && Equals(m.Tags["http.response.status_code"], 500) && Equals(m.Tags["veo.error_code"], "INTERNAL"));
        Assert.Contains(measurements, m => m.Instrument == VeoTelemetry.GenerationDurationInstrument && m.Value > 0 && Equals(m.Tags["veo.outcome"], "succeeded"));
        Assert.Contains(activities, a => a.OperationName == "Veo.StartGenerateVideo" && Equals(a.GetTagItem("veo.operation"), operation.Name));
        Assert.Contains(activities, a => a.OperationName == "Veo.GetOperation" && Equals(a.GetTagItem("veo.operation"), operation.Name));
    }

    [Fact]
    public async Task Should_measure_on_the_hosts_meter_factory_when_registered_with_dependency_injection()
    {
        // arrange: two hosts in one process, each with its own IMeterFactory
        await using var simulator = await TestClients.StartSimulatorAsync();
        ServiceProvider Host() => new ServiceCollection()
            .AddMetrics()
            .AddVeoClient(o =>
            {
                o.ApiKey = "simulator-key";
                o.BaseUrl = simulator.BaseUrl;
                o.RetryDelay = TimeSpan.FromMilliseconds(20);
            })
            .BuildServiceProvider();
        await using var first = Host();
        await using var second = Host();
        var firstFactory = first.GetRequiredService<IMeterFactory>();
        var counted = new ConcurrentDictionary<object, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VeoTelemetry.SourceName && instrument.Name == VeoTelemetry.RequestsInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => counted.AddOrUpdate(i.Meter.Scope ?? "none", (int)v, (_, n) => n + (int)v));
        listener.Start();

        // act: only the first host's client calls Veo
        var operation = await first.GetRequiredService<IVeoClient>().StartGenerateVideoAsync(TestClients.Request("metered"));

        // assert
        Assert.False(string.IsNullOrEmpty(operation.Name));
        Assert.True(counted.TryGetValue(firstFactory, out var requests) && requests >= 1, $"requests on the first host's meter: {requests}");
        Assert.False(counted.ContainsKey(second.GetRequiredService<IMeterFactory>()));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
