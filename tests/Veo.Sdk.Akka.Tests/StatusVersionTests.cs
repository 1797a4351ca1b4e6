using Veo.Sdk.Akka.Actors;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Status versions: the journal's sequence number above, changes readers can see since the last event below.</summary>
public sealed class StatusVersionTests
{
    private static VideoTaskStatus Generating(int progress) => new()
    {
        TaskId = "task-1",
        State = VideoTaskState.Progress,
        Stage = VideoTaskStage.Generating,
        StatusText = $"Generating video (estimated {progress}%)",
        Progress = progress,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void A_version_grows_with_each_visible_change_and_starts_over_above_each_event()
    {
        var versions = new StatusVersions();
        Assert.Equal(3L << 20, versions.Stamp(Generating(10), 3).Version);
        Assert.Equal(3L << 20, versions.Stamp(Generating(10), 3).Version);         // nothing changed for readers
        Assert.Equal((3L << 20) | 1, versions.Stamp(Generating(12), 3).Version);
        Assert.Equal((3L << 20) | 2, versions.Stamp(Generating(15), 3).Version);
        Assert.Equal(4L << 20, versions.Stamp(Generating(15), 4).Version);         // a new event
    }

    [Fact]
    public void A_status_read_first_after_an_event_has_the_version_a_recovered_reader_computes()
    {
        // The live actor has counted changes since event 3; a fresh incarnation recovered at event 4 starts at zero.
        var live = new StatusVersions();
        live.Stamp(Generating(10), 3);
        live.Stamp(Generating(20), 3);
        var final = Generating(100) with { State = VideoTaskState.Success, Stage = VideoTaskStage.Done };
        Assert.Equal(new StatusVersions().Stamp(final, 4).Version, live.Stamp(final, 4).Version);
    }
}
