using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veo.Sdk.Testing;
using Veo.Sdk.Testing.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Veo simulator's endpoints into an ASP.NET Core app.</summary>
public static class VeoSimulatorEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the simulator's endpoints at the root of the app, with the <see cref="VeoSimulatorState"/> registered by
    /// <c>services.AddVeoSimulator(…)</c>: the Gemini API under <c>/v1beta/</c>, Vertex AI under <c>/v1/projects/</c> and
    /// <c>/v1beta1/projects/</c>, the Cloud Storage JSON API under <c>/storage/v1/</c>, the OAuth token endpoint <c>/token</c>,
    /// and <c>/_simulator/</c> (stats, reset, media).
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <returns>A builder for conventions that apply to all the simulator's endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddVeoSimulator</c> was not called.</exception>
    public static IEndpointConventionBuilder MapVeoSimulator(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var state = endpoints.ServiceProvider.GetService<VeoSimulatorState>()
            ?? throw new InvalidOperationException("No VeoSimulatorState is registered: call services.AddVeoSimulator(…) first, or pass a state to MapVeoSimulator.");
        return endpoints.MapVeoSimulator(state);
    }

    /// <summary>Maps the simulator's endpoints at the root of the app, serving <paramref name="state"/>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="state">The simulator state to serve.</param>
    /// <returns>A builder for conventions that apply to all the simulator's endpoints.</returns>
    public static IEndpointConventionBuilder MapVeoSimulator(this IEndpointRouteBuilder endpoints, VeoSimulatorState state)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(state);
        var handlers = new SimulatorEndpoints(state);
        var group = endpoints.MapGroup(string.Empty);

        // Gemini API (generativelanguage.googleapis.com)
        group.MapPost("/v1beta/models/{modelAndMethod}", handlers.GeminiModelMethodAsync);
        group.MapGet("/v1beta/models/{model}/operations/{operationId}", handlers.GeminiGetOperationAsync);
        group.MapGet("/v1beta/files/{fileAndMethod}", handlers.GeminiFileAsync);

        // Vertex AI ({location}-aiplatform.googleapis.com); Google's SDKs use v1beta1, the REST docs v1
        foreach (var version in (ReadOnlySpan<string>)["v1", "v1beta1"])
        {
            var models = $"/{version}/projects/{{project}}/locations/{{location}}/publishers/google/models";
            group.MapPost(models + "/{modelAndMethod}", handlers.VertexModelMethodAsync);
            group.MapGet(models + "/{model}/operations/{operationId}", handlers.VertexGetOperationAsync);
        }

        // the Cloud Storage JSON API (storage.googleapis.com): the videos Vertex AI writes under a storageUri, and objects
        // clients upload, read, rewrite and delete
        group.MapGet("/storage/v1/b/{bucket}/o/{**objectName}", handlers.StorageObjectAsync);
        group.MapDelete("/storage/v1/b/{bucket}/o/{**objectName}", handlers.DeleteStorageObjectAsync);
        group.MapPost("/storage/v1/b/{bucket}/o/{**objectName}", handlers.RewriteStorageObjectAsync);
        group.MapPost("/upload/storage/v1/b/{bucket}/o", handlers.UploadStorageObjectAsync);
        group.MapPut("/upload/storage/v1/b/{bucket}/o", handlers.ResumableUploadChunkAsync);

        // Google's OAuth 2.0 token endpoint (oauth2.googleapis.com/token), for service-account keys whose token_uri points here
        group.MapPost("/token", handlers.TokenAsync);

        // the simulator's own endpoints
        group.MapGet(SimulatorEndpoints.MediaPathPrefix + "{fileId}", handlers.MediaAsync);
        group.MapGet("/_simulator/stats", handlers.StatsAsync);
        group.MapPost("/_simulator/reset", handlers.ResetAsync);
        return group;
    }
}
