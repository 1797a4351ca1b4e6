using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Gives a task's statuses their <see cref="VideoTaskStatus.Version"/>: the journal's sequence number in the high bits and
/// a count of changes readers can see since that event in the low bits. It grows with every change, and a final status
/// has the same version whether it is read live or recovered from the journal later (no change follows a final event).
/// </summary>
/// <remarks>The in-memory half of a task's status broadcasting; one per task actor incarnation.</remarks>
internal sealed class StatusVersions
{
    private const int ChangeBits = 20;

    /// <summary>Changes counted after one event at most; more leave the version where it is until the next event.</summary>
    public const long MaxChangesPerEvent = (1 << ChangeBits) - 1;

    private long _sequenceNr = -1;
    private long _changesSinceEvent;
    private VideoTaskStatus? _last;

    /// <summary>The status with its version, given the sequence number of the last event stored.</summary>
    public VideoTaskStatus Stamp(VideoTaskStatus status, long lastSequenceNr)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (lastSequenceNr != _sequenceNr)
        {
            _sequenceNr = lastSequenceNr;
            _changesSinceEvent = 0;
        }
        else if (_last is not null && !SameForReaders(_last, status) && _changesSinceEvent < MaxChangesPerEvent)
        {
            _changesSinceEvent++;
        }

        status = status with { Version = (_sequenceNr << ChangeBits) | _changesSinceEvent };
        _last = status;
        return status;
    }

    private static bool SameForReaders(VideoTaskStatus a, VideoTaskStatus b)
        => a.State == b.State && a.Stage == b.Stage && a.Progress == b.Progress && a.QueuePosition == b.QueuePosition
           && a.StatusText == b.StatusText && a.Warnings.Count == b.Warnings.Count;
}
