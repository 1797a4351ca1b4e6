using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using ReferenceService.Callers;
using ReferenceService.Contracts;
using ReferenceService.Generation;
using Veo.Sdk.Akka.Storage;

namespace ReferenceService.Endpoints;

/// <summary>The saved generations: the MP4s themselves and the list per ad.</summary>
public static class VideoEndpoints
{
    public static IEndpointRouteBuilder MapVideoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/videos/{generation_id:long}", StreamVideoAsync)
            .WithTags("Videos")
            .WithName("GetVideo")
            .AllowAnonymous()
            .WithDescription("With API keys configured, result.video_url carries its own expiring signature (expires, sig), so no key header is needed; " +
                             "without a valid signature the creator's (or an admin's) key is required.")
            .WithSummary("The generated MP4 (range requests supported, so browsers can seek); result.video_url points here")
            .Produces(StatusCodes.Status200OK, contentType: "video/mp4")
            .Produces(StatusCodes.Status206PartialContent, contentType: "video/mp4")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/api/v1/ads/{ad_id:long}/generations", ListForAdAsync)
            .WithTags("Videos")
            .WithName("ListAdGenerations")
            .WithSummary("An ad's saved generations, newest first");

        return app;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> StreamVideoAsync(
        [FromRoute(Name = "generation_id")] long generationId,
        HttpContext context,
        IGenerationStore generations,
        IVideoStore videos,
        CallerAccess access,
        VideoUrlSigner signer)
    {
        if (await generations.GetAsync(generationId, context.RequestAborted) is not { } generation
            || (access.KeysRequired && !signer.IsValid(context.Request) && !await CallerOwnsAsync(context, access, generation.TaskId)))
        {
            return VideoNotFound(generationId);
        }

        Stream? stream;
        try
        {
            stream = await videos.OpenReadAsync(generation.VideoLocation, context.RequestAborted);
        }
        catch (IOException)
        {
            // The store is there but cannot answer now (a bucket refusing the node's token, Cloud Storage unreachable):
            // the video exists, so this is not a 404, and the caller may try again.
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Video store unavailable", detail: $"The video of generation {generationId} cannot be read right now; try again.");
        }

        if (stream is null)
        {
            return VideoNotFound(generationId);
        }

        // A generation never changes once saved, so its id is a strong validator and caches may keep it.
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.Stream(
            stream,
            contentType: "video/mp4",
            fileDownloadName: null,
            lastModified: generation.CompletedAt,
            entityTag: new EntityTagHeaderValue($"\"generation-{generationId}\""),
            enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<AdGenerationsResponse>, ValidationProblem>> ListForAdAsync(
        [FromRoute(Name = "ad_id")] long adId,
        [FromQuery] int? limit,
        HttpContext context,
        IGenerationStore generations,
        CallerAccess access,
        ApiLinks links)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }

        var records = await generations.ListByAdAsync(adId, limit ?? 100, context.RequestAborted);
        var visible = new List<GenerationRecord>(records.Count);
        foreach (var record in records)
        {
            if (await access.CanSeeAsync(context, CallerAccess.TaskKind, record.TaskId))
            {
                visible.Add(record);
            }
        }

        var items = visible.Select(record => record.ToResponse(id => links.VideoUrl(context.Request, id))).ToArray();
        return TypedResults.Ok(new AdGenerationsResponse(adId, items));
    }

    /// <summary>Without a signature, an authenticated caller may still fetch its own video (an expired link, a script).</summary>
    private static async Task<bool> CallerOwnsAsync(HttpContext context, CallerAccess access, string taskId)
    {
        var result = await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (!result.Succeeded)
        {
            return false;
        }

        context.User = result.Principal;
        return await access.CanSeeAsync(context, CallerAccess.TaskKind, taskId);
    }

    private static ProblemHttpResult VideoNotFound(long generationId)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found", detail: $"There is no saved video for generation {generationId}.");
}
