using System.Net;
using System.Net.Sockets;

namespace Veo.Sdk.Benchmarks.Infrastructure;

/// <summary>TCP ports on 127.0.0.1 that nothing listens on, picked by the OS.</summary>
internal static class LoopbackPorts
{
    public static int Free() => Free(1)[0];

    /// <summary><paramref name="count"/> distinct ports: all are held open together while they are picked, so none repeats.</summary>
    public static IReadOnlyList<int> Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
