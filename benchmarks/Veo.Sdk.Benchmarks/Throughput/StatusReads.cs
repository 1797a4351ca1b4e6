using Veo.Sdk.Akka;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>Status reads as a client makes them: a task that cannot answer in time (a 503) is asked again after its Retry-After.</summary>
public static class StatusReads
{
    public static async Task<VideoTaskStatus?> GetAsync(IVideoGenerationService service, string taskId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await service.GetStatusAsync(taskId, cancellationToken).ConfigureAwait(false);
            }
            catch (GenerationUnavailableException ex) when (attempt < 20)
            {
                await Task.Delay(ex.RetryAfter, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
