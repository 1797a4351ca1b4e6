using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
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
            .WithSummary("The generated MP4 (range requests supported, so browsers can seek); result.video_url points here");

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
        IVideoStore videos)
    {
        if (await generations.GetAsync(generationId, context.RequestAborted) is not { } generation)
        {
            return VideoNotFound(generationId);
        }

        var stream = await videos.OpenReadAsync(generation.VideoLocation, context.RequestAborted);
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
        ApiLinks links)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }

        var records = await generations.ListByAdAsync(adId, limit ?? 100, context.RequestAborted);
        var items = records.Select(record => record.ToResponse(id => links.VideoUrl(context.Request, id))).ToArray();
        return TypedResults.Ok(new AdGenerationsResponse(adId, items));
    }

    private static ProblemHttpResult VideoNotFound(long generationId)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found", detail: $"There is no saved video for generation {generationId}.");
}
