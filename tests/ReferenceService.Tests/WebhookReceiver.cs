using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReferenceService.Tests;

/// <summary>One call the receiver got, with whether its Standard Webhooks signature verified.</summary>
public sealed record ReceivedWebhook(string Id, long Timestamp, string Body, bool SignatureValid, int AnsweredWith);

/// <summary>
/// A webhook receiver on a fixed loopback port, as a team would write one: it checks the signature the Standard Webhooks
/// way (written here from the spec, not with the service's code), can answer 500 a few times, and can be stopped and
/// started again at the same URL.
/// </summary>
public sealed class WebhookReceiver
{
    private readonly byte[] _key;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;
    private int _failuresLeft;

    public WebhookReceiver(string secret)
    {
        _key = Convert.FromBase64String(secret["whsec_".Length..]);
        Port = FreePort();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/veo";

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    /// <summary>Answer 500 to the next <paramref name="count"/> calls.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Url.Replace("/hooks/veo", "", StringComparison.Ordinal));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/veo", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = request.Headers["webhook-id"].ToString();
            var timestampText = request.Headers["webhook-timestamp"].ToString();
            var valid = long.TryParse(timestampText, out var timestamp) && Verify(id, timestamp, body, request.Headers["webhook-signature"].ToString());
            var status = !valid ? StatusCodes.Status400BadRequest : Interlocked.Decrement(ref _failuresLeft) >= 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
            _received.Enqueue(new ReceivedWebhook(id, timestamp, body, valid, status));
            return Results.StatusCode(status);
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private bool Verify(string id, long timestamp, string body, string signatureHeader)
    {
        // The spec: reject stale timestamps, then compare every "v1,<base64>" entry in constant time.
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(parts[1]), expected))
            {
                return true;
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
