using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ReferenceService.Webhooks;

public static class WebhookExtensions
{
    /// <summary>Signed callbacks: options, the outbox, the dispatcher and an HTTP client that only connects where allowed.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName))
            .Validate(o => o.SigningSecret is null || WebhookSigner.ParseSecret(o.SigningSecret) is not null, "Webhooks:SigningSecret must be 'whsec_' followed by base64 of 24 to 64 bytes.")
            .Validate(o => o.RetryDelaysSeconds.All(d => d >= 0), "Webhooks:RetryDelaysSeconds must not be negative.")
            .Validate(o => o.TimeoutSeconds > 0, "Webhooks:TimeoutSeconds must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());

        services.AddHttpClient(WebhookDispatcher.HttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("Veo-ReferenceService-Webhooks/1.0"))
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<WebhookOptions>>();
                return new SocketsHttpHandler
                {
                    // A redirect could point anywhere; the receiver must answer at the URL it gave.
                    AllowAutoRedirect = false,
                    // The address is checked after DNS, on the address actually connected to, so a name that resolves
                    // to a private or loopback address is refused as well as a literal one.
                    ConnectCallback = async (context, cancellationToken) =>
                    {
                        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
                        var allowed = addresses.Where(options.Value.IsAllowed).ToArray();
                        if (allowed.Length == 0)
                        {
                            throw new HttpRequestException($"Webhook receiver '{context.DnsEndPoint.Host}' resolves only to addresses this service may not call (loopback, private or link-local).");
                        }

                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                };
            });
        return services;
    }

    /// <summary>Why a webhook URL is refused, or <see langword="null"/> when the service may call it.</summary>
    public static string? Refusal(this WebhookOptions options, string url)
    {
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Must be an absolute http(s) URL of at most 2048 characters.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Must not carry credentials in the URL.";
        }

        var loopback = uri.IsLoopback;
        if (uri.Scheme != Uri.UriSchemeHttps && !loopback)
        {
            return "Must use https (plain http is accepted on loopback only).";
        }

        if (loopback && !options.AllowLoopback)
        {
            return "Loopback receivers are not allowed here (Webhooks:AllowLoopback).";
        }

        if (IPAddress.TryParse(uri.IdnHost, out var address) && !options.IsAllowed(address))
        {
            return "Private and link-local addresses are not allowed here (Webhooks:AllowPrivateNetworks).";
        }

        return null;
    }
}
