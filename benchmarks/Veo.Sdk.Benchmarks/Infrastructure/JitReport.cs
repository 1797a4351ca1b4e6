using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Veo.Sdk.Benchmarks.Infrastructure;

/// <summary>
/// Counts the methods the JIT compiles while it is enabled (the runtime's own JIT events, in process): a measured pass
/// that still compiles code is paying for JIT, and the names say whose code (for example dynamic methods made per actor).
/// </summary>
public sealed class JitReport : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentDictionary<string, int> _byMethod = new(StringComparer.Ordinal);
    private volatile bool _recording;
    private long _total;
    private long _dynamic;

    public void Start()
    {
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _dynamic, 0);
        _byMethod.Clear();
        _recording = true;
    }

    public void Stop() => _recording = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (!_recording || eventData.EventName is not { } name || !name.StartsWith("MethodJittingStarted", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var payload = eventData.PayloadNames!;
        string Get(string key) => payload.IndexOf(key) is var i and >= 0 ? eventData.Payload[i]?.ToString() ?? "" : "";
        var ns = Get("MethodNamespace");
        var method = Get("MethodName");
        Interlocked.Increment(ref _total);
        if (ns.Contains("dynamicClass", StringComparison.OrdinalIgnoreCase) || ns.Length == 0)
        {
            Interlocked.Increment(ref _dynamic);
        }

        var key = $"{Shorten(ns)}::{method}";
        _byMethod.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public string Describe(int top = 15)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"methods JIT-compiled during the pass: {Interlocked.Read(ref _total)} ({Interlocked.Read(ref _dynamic)} dynamic)");
        foreach (var (method, count) in _byMethod.OrderByDescending(p => p.Value).Take(top))
        {
            s.Append(CultureInfo.InvariantCulture, $"\n      {count,6} × {method}");
        }

        s.Append("\n    by type:");
        foreach (var group in _byMethod.GroupBy(p => p.Key[..p.Key.IndexOf("::", StringComparison.Ordinal)]).OrderByDescending(g => g.Sum(p => p.Value)).Take(top))
        {
            s.Append(CultureInfo.InvariantCulture, $"\n      {group.Sum(p => p.Value),6} × {group.Key}");
        }

        return s.ToString();
    }

    private static string Shorten(string ns) => ns.Length > 90 ? ns[..90] + "…" : ns;
}
