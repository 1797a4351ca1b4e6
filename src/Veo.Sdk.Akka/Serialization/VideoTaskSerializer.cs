using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Serialization;

/// <summary>
/// The wire and journal format of everything the engine persists or sends between nodes: a compact, hand-written binary
/// layout (a format version byte, then the fields in a fixed order) under short, stable manifests. Akka's default JSON
/// serializer measured as a real cost per event; this one also keeps the journal independent of CLR
/// type names, so types can be renamed freely — manifests can not.
/// </summary>
/// <remarks>
/// Evolving a type: append fields at the end and bump its format version; readers of the new version skip nothing and
/// readers must keep accepting every older version. Never reuse a manifest.
/// </remarks>
internal sealed class VideoTaskSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id in Akka's registry (ids up to 100 are Akka's own).</summary>
    public const int SerializerId = 7317;

    /// <summary>The name it is bound under in the actor system's configuration.</summary>
    public const string Name = "veo-generation";

    /// <summary>The first format: requests without the later Veo inputs.</summary>
    internal const byte Version1 = 1;

    /// <summary>Requests carry every Veo input (optional prompt, frames, references, a video, output settings, labels, storage).</summary>
    internal const byte Version2 = 2;

    private const byte CurrentVersion = Version2;

    /// <summary>Only the types that carry a request changed in version 2; the others keep writing the bytes they always wrote.</summary>
    private static byte VersionFor(object o) => o is Submitted or VideoTaskCommands.Submit or VideoTaskReplies.StatusReply ? Version2 : Version1;

    // Events (journal): never change these strings.
    internal const string SubmittedManifest = "VTE.Submitted";
    internal const string StartRequestedManifest = "VTE.StartRequested";
    internal const string StartedManifest = "VTE.Started";
    internal const string QuotaDeferredManifest = "VTE.QuotaDeferred";
    internal const string SoftLimitPassedManifest = "VTE.SoftLimitPassed";
    internal const string SucceededManifest = "VTE.Succeeded";
    internal const string FailedManifest = "VTE.Failed";
    internal const string RevokedManifest = "VTE.Revoked";

    // Commands and replies (wire only).
    internal const string SubmitManifest = "VTC.Submit";
    internal const string GetStatusManifest = "VTC.GetStatus";
    internal const string CancelManifest = "VTC.Cancel";
    internal const string WakeManifest = "VTC.Wake";
    internal const string SubscribeManifest = "VTC.Subscribe";
    internal const string UnsubscribeManifest = "VTC.Unsubscribe";
    internal const string SubmitAcceptedManifest = "VTR.SubmitAccepted";
    internal const string QueueFullManifest = "VTR.QueueFull";
    internal const string TaskIdConflictManifest = "VTR.TaskIdConflict";
    internal const string StatusReplyManifest = "VTR.Status";
    internal const string CancelReplyManifest = "VTR.Cancel";

    // Between tasks and the cluster's dispatcher (wire only).
    internal const string RequestSlotManifest = "VTD.RequestSlot";
    internal const string SlotQueuedManifest = "VTD.SlotQueued";
    internal const string QueueIsFullManifest = "VTD.QueueIsFull";
    internal const string SlotGrantedManifest = "VTD.SlotGranted";
    internal const string ReclaimSlotManifest = "VTD.ReclaimSlot";
    internal const string SlotReclaimedManifest = "VTD.SlotReclaimed";
    internal const string ReleaseSlotManifest = "VTD.ReleaseSlot";
    internal const string TaskNotOpenManifest = "VTD.TaskNotOpen";
    internal const string GoDormantManifest = "VTD.GoDormant";
    internal const string DormancyAcceptedManifest = "VTD.DormancyAccepted";
    internal const string QuotaExceededManifest = "VTD.QuotaExceeded";
    internal const string GenerationObservedManifest = "VTD.GenerationObserved";
    internal const string GetQueueInfoManifest = "VTD.GetQueueInfo";
    internal const string QueueInfoManifest = "VTD.QueueInfo";
    internal const string GetDispatcherStateManifest = "VTD.GetState";
    internal const string DispatcherStateManifest = "VTD.State";

    public VideoTaskSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        Submitted => SubmittedManifest,
        StartRequested => StartRequestedManifest,
        Started => StartedManifest,
        QuotaDeferred => QuotaDeferredManifest,
        SoftLimitPassed => SoftLimitPassedManifest,
        Succeeded => SucceededManifest,
        Failed => FailedManifest,
        Revoked => RevokedManifest,
        VideoTaskCommands.Submit => SubmitManifest,
        VideoTaskCommands.GetStatus => GetStatusManifest,
        VideoTaskCommands.Cancel => CancelManifest,
        VideoTaskCommands.Wake => WakeManifest,
        WatchProtocol.Subscribe => SubscribeManifest,
        WatchProtocol.Unsubscribe => UnsubscribeManifest,
        VideoTaskReplies.SubmitAccepted => SubmitAcceptedManifest,
        VideoTaskReplies.QueueFull => QueueFullManifest,
        VideoTaskReplies.TaskIdConflict => TaskIdConflictManifest,
        VideoTaskReplies.StatusReply => StatusReplyManifest,
        VideoTaskReplies.CancelReply => CancelReplyManifest,
        DispatcherProtocol.RequestSlot => RequestSlotManifest,
        DispatcherProtocol.SlotQueued => SlotQueuedManifest,
        DispatcherProtocol.QueueIsFull => QueueIsFullManifest,
        DispatcherProtocol.SlotGranted => SlotGrantedManifest,
        DispatcherProtocol.ReclaimSlot => ReclaimSlotManifest,
        DispatcherProtocol.SlotReclaimed => SlotReclaimedManifest,
        DispatcherProtocol.ReleaseSlot => ReleaseSlotManifest,
        DispatcherProtocol.TaskNotOpen => TaskNotOpenManifest,
        DispatcherProtocol.GoDormant => GoDormantManifest,
        DispatcherProtocol.DormancyAccepted => DormancyAcceptedManifest,
        DispatcherProtocol.QuotaExceeded => QuotaExceededManifest,
        DispatcherProtocol.GenerationObserved => GenerationObservedManifest,
        DispatcherProtocol.GetQueueInfo => GetQueueInfoManifest,
        DispatcherProtocol.QueueInfo => QueueInfoManifest,
        DispatcherProtocol.GetState => GetDispatcherStateManifest,
        DispatcherProtocol.State => DispatcherStateManifest,
        _ => throw new ArgumentException($"{nameof(VideoTaskSerializer)} cannot serialize {o?.GetType().FullName ?? "null"}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(128);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(VersionFor(obj));
            switch (obj)
            {
                case Submitted e:
                    w.WriteId(e.TaskId);
                    w.WriteRequest(e.Request);
                    w.WriteTime(e.At);
                    break;
                case StartRequested e:
                    w.WriteId(e.TaskId);
                    w.Write(e.Attempt);
                    w.Write(e.AfterIndeterminateStart);
                    w.WriteTime(e.At);
                    break;
                case Started e:
                    w.WriteId(e.TaskId);
                    w.Write(e.OperationName);
                    w.WriteTime(e.At);
                    break;
                case QuotaDeferred e:
                    w.WriteId(e.TaskId);
                    w.WriteTime(e.RetryAt);
                    w.Write(e.HttpStatus);
                    w.WriteOptional(e.ErrorCode);
                    w.Write(e.Message);
                    w.WriteTime(e.At);
                    break;
                case SoftLimitPassed e:
                    w.WriteId(e.TaskId);
                    w.Write(e.LimitSeconds);
                    w.WriteTime(e.At);
                    break;
                case Succeeded e:
                    w.WriteId(e.TaskId);
                    w.Write(e.GenerationId);
                    w.Write(e.VideoLocation);
                    w.Write(e.SizeBytes);
                    w.Write(e.GenerationTimeSeconds);
                    w.WriteTime(e.At);
                    break;
                case Failed e:
                    w.WriteId(e.TaskId);
                    w.WriteError(e.Error);
                    w.WriteTime(e.At);
                    break;
                case Revoked e:
                    w.WriteId(e.TaskId);
                    w.Write(e.WhileRunning);
                    w.WriteTime(e.At);
                    break;
                case VideoTaskCommands.Submit c:
                    w.WriteId(c.TaskId);
                    w.WriteRequest(c.Request);
                    break;
                case VideoTaskCommands.GetStatus c:
                    w.WriteId(c.TaskId);
                    break;
                case VideoTaskCommands.Cancel c:
                    w.WriteId(c.TaskId);
                    break;
                case VideoTaskCommands.Wake c:
                    w.WriteId(c.TaskId);
                    break;
                case WatchProtocol.Subscribe c:
                    w.WriteId(c.TaskId);
                    w.Write(global::Akka.Serialization.Serialization.SerializedActorPath(c.Subscriber));
                    break;
                case WatchProtocol.Unsubscribe c:
                    w.WriteId(c.TaskId);
                    w.Write(global::Akka.Serialization.Serialization.SerializedActorPath(c.Subscriber));
                    break;
                case VideoTaskReplies.SubmitAccepted r:
                    w.WriteId(r.TaskId);
                    w.Write(r.AlreadyExisted);
                    w.Write(r.EstimatedTimeSeconds);
                    break;
                case VideoTaskReplies.QueueFull r:
                    w.WriteId(r.TaskId);
                    w.Write(r.MaxQueueLength);
                    w.Write(r.RetryAfterSeconds);
                    break;
                case VideoTaskReplies.TaskIdConflict r:
                    w.WriteId(r.TaskId);
                    break;
                case VideoTaskReplies.StatusReply r:
                    w.WriteId(r.TaskId);
                    w.Write(r.Status is not null);
                    if (r.Status is not null)
                    {
                        w.WriteStatus(r.Status);
                    }

                    break;
                case VideoTaskReplies.CancelReply r:
                    w.WriteId(r.TaskId);
                    w.Write((byte)r.Outcome);
                    break;
                case IDispatcherMessage d:
                    DispatcherFormat.Write(w, d);
                    break;
                default:
                    throw new ArgumentException($"{nameof(VideoTaskSerializer)} cannot serialize {obj?.GetType().FullName ?? "null"}.", nameof(obj));
            }
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version is not (Version1 or Version2))
        {
            throw new SerializationException($"{manifest}: format version {version} is unknown to this version of Veo.Sdk.Akka (it reads versions {Version1} to {CurrentVersion}).");
        }

        return manifest switch
        {
            SubmittedManifest => new Submitted(r.ReadId(), r.ReadRequest(version), r.ReadTime()),
            StartRequestedManifest => new StartRequested(r.ReadId(), r.ReadInt32(), r.ReadBoolean(), r.ReadTime()),
            StartedManifest => new Started(r.ReadId(), r.ReadString(), r.ReadTime()),
            QuotaDeferredManifest => new QuotaDeferred(r.ReadId(), r.ReadTime(), r.ReadInt32(), r.ReadOptionalString(), r.ReadString(), r.ReadTime()),
            SoftLimitPassedManifest => new SoftLimitPassed(r.ReadId(), r.ReadDouble(), r.ReadTime()),
            SucceededManifest => new Succeeded(r.ReadId(), r.ReadInt64(), r.ReadString(), r.ReadInt64(), r.ReadDouble(), r.ReadTime()),
            FailedManifest => new Failed(r.ReadId(), r.ReadError(), r.ReadTime()),
            RevokedManifest => new Revoked(r.ReadId(), r.ReadBoolean(), r.ReadTime()),
            SubmitManifest => new VideoTaskCommands.Submit(r.ReadId(), r.ReadRequest(version)),
            GetStatusManifest => new VideoTaskCommands.GetStatus(r.ReadId()),
            CancelManifest => new VideoTaskCommands.Cancel(r.ReadId()),
            WakeManifest => new VideoTaskCommands.Wake(r.ReadId()),
            SubscribeManifest => new WatchProtocol.Subscribe(r.ReadId(), ResolveRef(r.ReadString())),
            UnsubscribeManifest => new WatchProtocol.Unsubscribe(r.ReadId(), ResolveRef(r.ReadString())),
            SubmitAcceptedManifest => new VideoTaskReplies.SubmitAccepted(r.ReadId(), r.ReadBoolean(), r.ReadInt32()),
            QueueFullManifest => new VideoTaskReplies.QueueFull(r.ReadId(), r.ReadInt32(), r.ReadDouble()),
            TaskIdConflictManifest => new VideoTaskReplies.TaskIdConflict(r.ReadId()),
            StatusReplyManifest => new VideoTaskReplies.StatusReply(r.ReadId(), r.ReadBoolean() ? r.ReadStatus(version) : null),
            CancelReplyManifest => new VideoTaskReplies.CancelReply(r.ReadId(), (CancelOutcome)r.ReadByte()),
            _ when manifest.StartsWith("VTD.", StringComparison.Ordinal) => DispatcherFormat.Read(r, manifest),
            _ => throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(VideoTaskSerializer)}."),
        };
    }

    private IActorRef ResolveRef(string path) => system.Provider.ResolveActorRef(path);
}

/// <summary>The layouts of the dispatcher's messages (format version 1, written after the version byte).</summary>
internal static class DispatcherFormat
{
    public static void Write(BinaryWriter w, IDispatcherMessage message)
    {
        switch (message)
        {
            case DispatcherProtocol.RequestSlot m:
                w.Write(m.TaskId);
                w.Write((byte)m.Priority);
                w.WriteTime(m.SubmittedAt);
                w.WriteOptionalTime(m.NotBefore);
                w.Write(m.Model);
                w.Write(m.EnforceQueueLimit);
                w.Write(m.Recovered);
                break;
            case DispatcherProtocol.SlotQueued m:
                WriteQueueReport(w, m.TaskId, m.Position, m.QueueLength, m.Concurrency, m.Expected);
                break;
            case DispatcherProtocol.QueueIsFull m:
                w.Write(m.TaskId);
                w.Write(m.MaxQueueLength);
                w.Write(m.RetryAfter.Ticks);
                break;
            case DispatcherProtocol.SlotGranted m:
                w.Write(m.TaskId);
                WriteExpected(w, m.Expected);
                break;
            case DispatcherProtocol.ReclaimSlot m:
                w.Write(m.TaskId);
                w.Write(m.Model);
                break;
            case DispatcherProtocol.SlotReclaimed m:
                w.Write(m.TaskId);
                WriteExpected(w, m.Expected);
                break;
            case DispatcherProtocol.ReleaseSlot m:
                w.Write(m.TaskId);
                break;
            case DispatcherProtocol.TaskNotOpen m:
                w.Write(m.TaskId);
                break;
            case DispatcherProtocol.GoDormant m:
                w.Write(m.TaskId);
                w.Write(m.Position);
                break;
            case DispatcherProtocol.DormancyAccepted m:
                w.Write(m.TaskId);
                break;
            case DispatcherProtocol.QuotaExceeded m:
                w.Write(m.TaskId);
                w.Write((byte)m.Priority);
                w.WriteTime(m.SubmittedAt);
                w.WriteTime(m.RetryAt);
                w.Write(m.Model);
                break;
            case DispatcherProtocol.GenerationObserved m:
                w.Write(m.Model);
                w.Write(m.Duration.Ticks);
                break;
            case DispatcherProtocol.GetQueueInfo m:
                w.Write(m.TaskId);
                w.Write(m.Model);
                break;
            case DispatcherProtocol.QueueInfo m:
                WriteQueueReport(w, m.TaskId, m.Position, m.QueueLength, m.Concurrency, m.Expected);
                break;
            case DispatcherProtocol.GetState:
                break;
            case DispatcherProtocol.State m:
                w.Write(m.Capacity);
                w.Write(m.Limit);
                w.Write(m.InUse);
                w.Write(m.Waiting);
                w.Write(m.MaxInUse);
                w.Write(m.QuotaDecreases);
                w.Write(m.Holders.Count);
                foreach (var holder in m.Holders)
                {
                    w.Write(holder);
                }

                w.Write(m.Parked);
                break;
            default:
                throw new ArgumentException($"{nameof(VideoTaskSerializer)} cannot serialize {message.GetType().FullName}.", nameof(message));
        }
    }

    public static IDispatcherMessage Read(BinaryReader r, string manifest) => manifest switch
    {
        VideoTaskSerializer.RequestSlotManifest => new DispatcherProtocol.RequestSlot(r.ReadString(), ReadPriority(r), r.ReadTime(), r.ReadOptionalTime(), r.ReadString(), r.ReadBoolean(), r.ReadBoolean()),
        VideoTaskSerializer.SlotQueuedManifest => ReadQueueReport(r, (id, position, length, concurrency, expected) => new DispatcherProtocol.SlotQueued(id, position, length, concurrency, expected)),
        VideoTaskSerializer.QueueIsFullManifest => new DispatcherProtocol.QueueIsFull(r.ReadString(), r.ReadInt32(), TimeSpan.FromTicks(r.ReadInt64())),
        VideoTaskSerializer.SlotGrantedManifest => new DispatcherProtocol.SlotGranted(r.ReadString(), ReadExpected(r)),
        VideoTaskSerializer.ReclaimSlotManifest => new DispatcherProtocol.ReclaimSlot(r.ReadString(), r.ReadString()),
        VideoTaskSerializer.SlotReclaimedManifest => new DispatcherProtocol.SlotReclaimed(r.ReadString(), ReadExpected(r)),
        VideoTaskSerializer.ReleaseSlotManifest => new DispatcherProtocol.ReleaseSlot(r.ReadString()),
        VideoTaskSerializer.TaskNotOpenManifest => new DispatcherProtocol.TaskNotOpen(r.ReadString()),
        VideoTaskSerializer.GoDormantManifest => new DispatcherProtocol.GoDormant(r.ReadString(), r.ReadInt32()),
        VideoTaskSerializer.DormancyAcceptedManifest => new DispatcherProtocol.DormancyAccepted(r.ReadString()),
        VideoTaskSerializer.QuotaExceededManifest => new DispatcherProtocol.QuotaExceeded(r.ReadString(), ReadPriority(r), r.ReadTime(), r.ReadTime(), r.ReadString()),
        VideoTaskSerializer.GenerationObservedManifest => new DispatcherProtocol.GenerationObserved(r.ReadString(), TimeSpan.FromTicks(r.ReadInt64())),
        VideoTaskSerializer.GetQueueInfoManifest => new DispatcherProtocol.GetQueueInfo(r.ReadString(), r.ReadString()),
        VideoTaskSerializer.QueueInfoManifest => ReadQueueReport(r, (id, position, length, concurrency, expected) => new DispatcherProtocol.QueueInfo(id, position, length, concurrency, expected)),
        VideoTaskSerializer.GetDispatcherStateManifest => DispatcherProtocol.GetState.Instance,
        VideoTaskSerializer.DispatcherStateManifest => ReadState(r),
        _ => throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(VideoTaskSerializer)}."),
    };

    private static DispatcherProtocol.State ReadState(BinaryReader r)
    {
        var (capacity, limit, inUse, waiting, maxInUse, decreases) = (r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64());
        var holders = new string[r.ReadInt32()];
        for (var i = 0; i < holders.Length; i++)
        {
            holders[i] = r.ReadString();
        }

        return new DispatcherProtocol.State(capacity, limit, inUse, waiting, maxInUse, decreases, holders, r.ReadInt32());
    }

    private static TaskPriority ReadPriority(BinaryReader r)
    {
        var priority = (TaskPriority)r.ReadByte();
        return Enum.IsDefined(priority) ? priority : throw new SerializationException($"Invalid priority {(int)priority}.");
    }

    /// <summary>What the dispatcher tells a task about the queue: the layout <see cref="DispatcherProtocol.SlotQueued"/> and <see cref="DispatcherProtocol.QueueInfo"/> share.</summary>
    private static void WriteQueueReport(BinaryWriter w, string taskId, int? position, int queueLength, int concurrency, ExpectedDuration expected)
    {
        w.Write(taskId);
        w.WriteOptional(position);
        w.Write(queueLength);
        w.Write(concurrency);
        WriteExpected(w, expected);
    }

    private static IDispatcherMessage ReadQueueReport(BinaryReader r, Func<string, int?, int, int, ExpectedDuration, IDispatcherMessage> create)
        => create(r.ReadString(), r.ReadOptionalInt32(), r.ReadInt32(), r.ReadInt32(), ReadExpected(r));

    private static void WriteExpected(BinaryWriter w, ExpectedDuration expected)
    {
        w.Write(expected.Duration.Ticks);
        w.Write(expected.IsObserved);
        w.Write(expected.Fastest.Ticks);
    }

    private static ExpectedDuration ReadExpected(BinaryReader r)
        => new(TimeSpan.FromTicks(r.ReadInt64()), r.ReadBoolean(), TimeSpan.FromTicks(r.ReadInt64()));
}

/// <summary>The field encodings shared by <see cref="VideoTaskSerializer"/>'s types.</summary>
internal static class BinaryFormat
{
    public static void WriteId(this BinaryWriter w, VideoTaskId id) => w.Write(id.Value);

    public static VideoTaskId ReadId(this BinaryReader r) => VideoTaskId.Parse(r.ReadString());

    /// <summary>UTC ticks plus the offset in minutes: exact and culture-free.</summary>
    public static void WriteTime(this BinaryWriter w, DateTimeOffset time)
    {
        w.Write(time.UtcTicks);
        w.Write((short)time.Offset.TotalMinutes);
    }

    public static DateTimeOffset ReadTime(this BinaryReader r)
    {
        var utcTicks = r.ReadInt64();
        var offset = TimeSpan.FromMinutes(r.ReadInt16());
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }

    public static void WriteOptional(this BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    public static string? ReadOptionalString(this BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    public static void WriteOptional(this BinaryWriter w, long? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v);
        }
    }

    public static long? ReadOptionalInt64(this BinaryReader r) => r.ReadBoolean() ? r.ReadInt64() : null;

    public static void WriteOptional(this BinaryWriter w, int? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v);
        }
    }

    public static int? ReadOptionalInt32(this BinaryReader r) => r.ReadBoolean() ? r.ReadInt32() : null;

    public static void WriteOptional(this BinaryWriter w, bool? value) => w.Write((byte)(value switch { null => 0, false => 1, true => 2 }));

    public static bool? ReadOptionalBoolean(this BinaryReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => false,
        2 => true,
        var b => throw new SerializationException($"Invalid optional boolean {b}."),
    };

    public static void WriteOptional(this BinaryWriter w, TimeSpan? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v.Ticks);
        }
    }

    public static TimeSpan? ReadOptionalTimeSpan(this BinaryReader r) => r.ReadBoolean() ? TimeSpan.FromTicks(r.ReadInt64()) : null;

    public static void WriteOptionalTime(this BinaryWriter w, DateTimeOffset? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.WriteTime(v);
        }
    }

    public static DateTimeOffset? ReadOptionalTime(this BinaryReader r) => r.ReadBoolean() ? r.ReadTime() : null;

    /// <summary>Whether two requests ask for the same thing, field by field and byte by byte (images included).</summary>
    public static bool SameContent(VideoGenerationRequest a, VideoGenerationRequest b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return ReferenceEquals(a, b) || ToBytes(a).AsSpan().SequenceEqual(ToBytes(b));

        static byte[] ToBytes(VideoGenerationRequest request)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.WriteRequest(request);
            }

            return stream.ToArray();
        }
    }

    /// <summary>Writes a request in the current format (<see cref="VideoTaskSerializer.Version2"/>).</summary>
    public static void WriteRequest(this BinaryWriter w, VideoGenerationRequest request)
    {
        w.WriteOptional(request.TaskId);
        w.Write((byte)request.Priority);
        w.WriteOptional(request.ModelKey);
        w.WriteOptional(request.AdId);
        var veo = request.Veo;
        w.Write(veo.Model);
        w.WriteOptional(veo.Prompt);
        w.WriteOptional(veo.AspectRatio);
        w.WriteOptional(veo.DurationSeconds);
        w.WriteOptional(veo.Resolution);
        w.WriteOptional(veo.NegativePrompt);
        w.WriteOptional(veo.Seed);
        w.WriteOptional(veo.SampleCount);
        w.WriteOptional(veo.PersonGeneration);
        w.WriteOptional(veo.EnhancePrompt);
        w.WriteImage(veo.Image);

        // Added in version 2.
        w.WriteOptional(veo.GenerateAudio);
        w.WriteImage(veo.LastFrame);
        w.Write(veo.ReferenceImages?.Count ?? -1);
        foreach (var reference in veo.ReferenceImages ?? [])
        {
            w.Write(reference.ReferenceType);
            w.WriteImage(reference.Image);
        }

        var video = veo.Video;
        w.Write((byte)(video switch { null => 0, { Bytes: not null } => 2, _ => 1 }));
        if (video is not null)
        {
            w.Write(video.MimeType);
            if (video.Bytes is { } bytes)
            {
                w.Write(bytes.Length);
                w.Write(bytes.Span);
            }
            else
            {
                w.Write(video.Uri!.OriginalString);
            }
        }

        w.WriteOptional(veo.CompressionQuality);
        w.WriteOptional(veo.ResizeMode);
        w.Write(veo.Labels?.Count ?? -1);
        foreach (var (key, value) in (veo.Labels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(value);
        }

        w.WriteOptional(veo.StorageUri);
    }

    /// <summary>Reads a request written in format <paramref name="version"/>.</summary>
    public static VideoGenerationRequest ReadRequest(this BinaryReader r, byte version)
    {
        var taskId = r.ReadOptionalString();
        var priority = (TaskPriority)r.ReadByte();
        var modelKey = r.ReadOptionalString();
        var adId = r.ReadOptionalInt64();
        var veo = new GenerateVideoRequest
        {
            Model = r.ReadString(),
            Prompt = version == VideoTaskSerializer.Version1 ? r.ReadString() : r.ReadOptionalString(),
            AspectRatio = r.ReadOptionalString(),
            DurationSeconds = r.ReadOptionalInt32(),
            Resolution = r.ReadOptionalString(),
            NegativePrompt = r.ReadOptionalString(),
            Seed = r.ReadOptionalInt64(),
            SampleCount = r.ReadOptionalInt32(),
            PersonGeneration = r.ReadOptionalString(),
            EnhancePrompt = r.ReadOptionalBoolean(),
            Image = r.ReadImage(),
        };

        if (version >= VideoTaskSerializer.Version2)
        {
            var generateAudio = r.ReadOptionalBoolean();
            var lastFrame = r.ReadImage();
            var referenceCount = r.ReadInt32();
            VeoReferenceImage[]? references = null;
            if (referenceCount >= 0)
            {
                references = new VeoReferenceImage[referenceCount];
                for (var i = 0; i < referenceCount; i++)
                {
                    var type = r.ReadString();
                    references[i] = new VeoReferenceImage(r.ReadImage() ?? throw new SerializationException("A reference image without an image."), type);
                }
            }

            var videoKind = r.ReadByte();
            VeoVideo? video = null;
            if (videoKind != 0)
            {
                var mime = r.ReadString();
                video = videoKind == 2 ? VeoVideo.FromBytes(r.ReadBytes(r.ReadInt32()), mime) : VeoVideo.FromUri(new Uri(r.ReadString(), UriKind.RelativeOrAbsolute), mime);
            }

            var compressionQuality = r.ReadOptionalString();
            var resizeMode = r.ReadOptionalString();
            var labelCount = r.ReadInt32();
            Dictionary<string, string>? labels = null;
            if (labelCount >= 0)
            {
                labels = new Dictionary<string, string>(labelCount, StringComparer.Ordinal);
                for (var i = 0; i < labelCount; i++)
                {
                    labels[r.ReadString()] = r.ReadString();
                }
            }

            veo = veo with
            {
                GenerateAudio = generateAudio,
                LastFrame = lastFrame,
                ReferenceImages = references,
                Video = video,
                CompressionQuality = compressionQuality,
                ResizeMode = resizeMode,
                Labels = labels,
                StorageUri = r.ReadOptionalString(),
            };
        }

        return new VideoGenerationRequest { Veo = veo, TaskId = taskId, Priority = priority, ModelKey = modelKey, AdId = adId };
    }

    private static void WriteImage(this BinaryWriter w, VeoImage? image)
    {
        w.Write(image is not null);
        if (image is not null)
        {
            w.Write(image.MimeType);
            w.Write(image.Bytes.Length);
            w.Write(image.Bytes.Span);
        }
    }

    private static VeoImage? ReadImage(this BinaryReader r)
    {
        if (!r.ReadBoolean())
        {
            return null;
        }

        var mime = r.ReadString();
        var length = r.ReadInt32();
        return new VeoImage(r.ReadBytes(length), mime);
    }

    public static void WriteError(this BinaryWriter w, VideoTaskError error)
    {
        w.Write(error.Code);
        w.Write(error.Message);
        var details = error.Details;
        w.Write(details?.Count ?? -1);
        if (details is not null)
        {
            foreach (var (key, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                w.Write(key);
                w.Write(value);
            }
        }
    }

    public static VideoTaskError ReadError(this BinaryReader r)
    {
        var code = r.ReadString();
        var message = r.ReadString();
        var count = r.ReadInt32();
        Dictionary<string, string>? details = null;
        if (count >= 0)
        {
            details = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                details[r.ReadString()] = r.ReadString();
            }
        }

        return new VideoTaskError(code, message, details);
    }

    public static void WriteStatus(this BinaryWriter w, VideoTaskStatus s)
    {
        w.Write(s.TaskId);
        w.Write((byte)s.State);
        w.Write((byte)s.Stage);
        w.Write(s.StatusText);
        w.Write(s.Progress);
        w.Write(s.ProgressIsEstimated);
        w.WriteOptional(s.QueuePosition);
        w.WriteOptional(s.EstimatedTimeLeft);
        w.Write((byte)s.Priority);
        w.WriteTime(s.CreatedAt);
        w.WriteOptionalTime(s.StartedAt);
        w.WriteOptionalTime(s.CompletedAt);
        w.Write(s.Result is not null);
        if (s.Result is { } result)
        {
            w.Write(result.GenerationId);
            w.Write(result.VideoLocation);
            w.Write(result.SizeBytes);
            w.Write(result.GenerationTimeSeconds);
            w.WriteOptional(result.OperationName);
            w.WriteRequest(result.Request);
        }

        w.Write(s.Error is not null);
        if (s.Error is { } error)
        {
            w.WriteError(error);
        }

        w.Write(s.Warnings.Count);
        foreach (var warning in s.Warnings)
        {
            w.Write(warning);
        }

        w.Write(s.Version);
    }

    public static VideoTaskStatus ReadStatus(this BinaryReader r, byte version)
    {
        var status = new VideoTaskStatus
        {
            TaskId = r.ReadString(),
            State = (VideoTaskState)r.ReadByte(),
            Stage = (VideoTaskStage)r.ReadByte(),
            StatusText = r.ReadString(),
            Progress = r.ReadInt32(),
            ProgressIsEstimated = r.ReadBoolean(),
            QueuePosition = r.ReadOptionalInt32(),
            EstimatedTimeLeft = r.ReadOptionalTimeSpan(),
            Priority = (TaskPriority)r.ReadByte(),
            CreatedAt = r.ReadTime(),
            StartedAt = r.ReadOptionalTime(),
            CompletedAt = r.ReadOptionalTime(),
        };
        if (r.ReadBoolean())
        {
            status = status with
            {
                Result = new VideoTaskResult
                {
                    GenerationId = r.ReadInt64(),
                    VideoLocation = r.ReadString(),
                    SizeBytes = r.ReadInt64(),
                    GenerationTimeSeconds = r.ReadDouble(),
                    OperationName = r.ReadOptionalString(),
                    Request = r.ReadRequest(version),
                },
            };
        }

        if (r.ReadBoolean())
        {
            status = status with { Error = r.ReadError() };
        }

        var warnings = new string[r.ReadInt32()];
        for (var i = 0; i < warnings.Length; i++)
        {
            warnings[i] = r.ReadString();
        }

        return status with { Warnings = warnings, Version = r.ReadInt64() };
    }
}
