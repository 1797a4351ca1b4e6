using System.Diagnostics;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Hosting;

namespace Veo.Sdk.Akka.Tests;

/// <summary>
/// The facade never hangs on a task that cannot answer (its shard moving to another node): a read or a cancel gives up
/// after <c>Generation:ReadAskTimeoutSeconds</c> with <see cref="GenerationUnavailableException"/>, a submit after
/// <c>Generation:AskTimeoutSeconds</c>. A probe stands in for the shard region and never answers.
/// </summary>
public sealed class FacadeTimeoutTests(ITestOutputHelper output) : global::Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task A_status_read_or_a_cancel_whose_task_does_not_answer_ends_within_the_read_timeout_as_unavailable()
    {
        var (service, region) = Facade(readTimeoutSeconds: 0.3, askTimeoutSeconds: 30);
        var id = VideoTaskId.New().Value;

        var watch = Stopwatch.StartNew();
        var status = await Assert.ThrowsAsync<GenerationUnavailableException>(() => service.GetStatusAsync(id));
        var statusTook = watch.Elapsed;
        var cancel = await Assert.ThrowsAsync<GenerationUnavailableException>(() => service.CancelAsync(id));

        Assert.InRange(statusTook, TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(5));
        Assert.Contains("ReadAskTimeoutSeconds", status.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), status.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), cancel.RetryAfter);
        Assert.Equal(id, region.ExpectMsg<VideoTaskCommands.GetStatus>().TaskId.Value);
        Assert.Equal(id, region.ExpectMsg<VideoTaskCommands.Cancel>().TaskId.Value);
    }

    [Fact]
    public async Task A_submit_whose_task_does_not_answer_ends_after_the_submit_timeout_as_unavailable()
    {
        var (service, region) = Facade(readTimeoutSeconds: 30, askTimeoutSeconds: 0.3);

        var thrown = await Assert.ThrowsAsync<GenerationUnavailableException>(() => service.SubmitAsync(new VideoGenerationRequest
        {
            Veo = new GenerateVideoRequest { Model = VeoModels.Veo31Vertex, Prompt = "a lighthouse at dusk" },
        }));

        Assert.Contains("AskTimeoutSeconds", thrown.Message, StringComparison.Ordinal);
        region.ExpectMsg<VideoTaskCommands.Submit>();
    }

    private (IVideoGenerationService Service, global::Akka.TestKit.TestProbe Region) Facade(double readTimeoutSeconds, double askTimeoutSeconds)
    {
        var region = CreateTestProbe();
        var registry = ActorRegistry.For(Sys);
        registry.Register<VideoGenerationRegion>(region.Ref);
        var service = new VideoGenerationService(
            registry,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new VeoGenerationOptions { ReadAskTimeoutSeconds = readTimeoutSeconds, AskTimeoutSeconds = askTimeoutSeconds }),
            Options.Create(new VeoStorageOptions()));
        return (service, region);
    }
}
