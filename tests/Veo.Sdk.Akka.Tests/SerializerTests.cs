using System.Runtime.Serialization;
using Akka.Actor;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Every persisted event and every message that may cross nodes survives a round trip through the engine's serializer.</summary>
public sealed class SerializerTests : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 34, 56, 789, TimeSpan.FromHours(2));
    private static readonly VideoTaskId Id = VideoTaskId.Parse("0f8fad5bd9cb469fa16570867728950e");
    private readonly VideoTaskSerializer _serializer;

    public SerializerTests(ITestOutputHelper output)
        : base(output: output)
    {
        _serializer = new VideoTaskSerializer((ExtendedActorSystem)Sys);
    }

    private static VideoGenerationRequest FullRequest => new()
    {
        Veo = new GenerateVideoRequest
        {
            Model = VeoModels.Veo31,
            Prompt = "A paper boat on a rain-soaked street, neon reflections — ünïcødé ✓",
            AspectRatio = VeoAspectRatios.Portrait,
            DurationSeconds = 8,
            Resolution = VeoResolutions.FullHd1080,
            NegativePrompt = "blur",
            Seed = uint.MaxValue,
            SampleCount = 2,
            PersonGeneration = VeoPersonGeneration.AllowAdult,
            EnhancePrompt = false,
            Image = new VeoImage(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 255 }, "image/png"),
        },
        TaskId = Id.Value,
        Priority = TaskPriority.Low,
        ModelKey = "veo_3_1_t2v_portrait",
        AdId = long.MaxValue,
    };

    private static VideoGenerationRequest MinimalRequest => new()
    {
        Veo = new GenerateVideoRequest { Model = VeoModels.Veo31Fast, Prompt = "p" },
    };

    [Fact]
    public void Requests_compare_by_content_images_included()
    {
        Assert.True(BinaryFormat.SameContent(FullRequest, FullRequest));   // two instances, equal content
        Assert.False(BinaryFormat.SameContent(FullRequest, FullRequest with { AdId = 1 }));
        Assert.False(BinaryFormat.SameContent(FullRequest, FullRequest with { Veo = FullRequest.Veo with { Prompt = "another" } }));
        var otherImage = FullRequest.Veo with { Image = new VeoImage(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 254 }, "image/png") };
        Assert.False(BinaryFormat.SameContent(FullRequest, FullRequest with { Veo = otherImage }));
        Assert.False(BinaryFormat.SameContent(MinimalRequest, MinimalRequest with { Priority = TaskPriority.High }));
    }

    public static TheoryData<string, object> Events() => new()
    {
        { VideoTaskSerializer.SubmittedManifest, new Submitted(Id, FullRequest, At) },
        { VideoTaskSerializer.SubmittedManifest, new Submitted(Id, MinimalRequest, At) },
        { VideoTaskSerializer.StartRequestedManifest, new StartRequested(Id, 3, true, At) },
        { VideoTaskSerializer.StartedManifest, new Started(Id, "models/veo-3.1-generate-preview/operations/abc123", At) },
        { VideoTaskSerializer.QuotaDeferredManifest, new QuotaDeferred(Id, At.AddSeconds(31), 429, "RESOURCE_EXHAUSTED", "Quota exceeded", At) },
        { VideoTaskSerializer.QuotaDeferredManifest, new QuotaDeferred(Id, At, 429, null, string.Empty, At) },
        { VideoTaskSerializer.SoftLimitPassedManifest, new SoftLimitPassed(Id, 840.5, At) },
        { VideoTaskSerializer.SucceededManifest, new Succeeded(Id, long.MaxValue, "x.mp4", 12_345_678_901, 61.25, At) },
        { VideoTaskSerializer.FailedManifest, new Failed(Id, new VideoTaskError("SAFETY_FILTERED", "no", new Dictionary<string, string> { ["reasons"] = "a | b", ["filtered_count"] = "1" }), At) },
        { VideoTaskSerializer.FailedManifest, new Failed(Id, new VideoTaskError("TIME_LIMIT_EXCEEDED", "late"), At) },
        { VideoTaskSerializer.RevokedManifest, new Revoked(Id, true, At) },
    };

    public static TheoryData<string, object> WireMessages() => new()
    {
        { VideoTaskSerializer.SubmitManifest, new VideoTaskCommands.Submit(Id, FullRequest) },
        { VideoTaskSerializer.GetStatusManifest, new VideoTaskCommands.GetStatus(Id) },
        { VideoTaskSerializer.WakeManifest, new VideoTaskCommands.Wake(Id) },
        { VideoTaskSerializer.CancelManifest, new VideoTaskCommands.Cancel(Id) },
        { VideoTaskSerializer.SubmitAcceptedManifest, new VideoTaskReplies.SubmitAccepted(Id, true, 600) },
        { VideoTaskSerializer.QueueFullManifest, new VideoTaskReplies.QueueFull(Id, 10_000, 12.5) },
        { VideoTaskSerializer.TaskIdConflictManifest, new VideoTaskReplies.TaskIdConflict(Id) },
        { VideoTaskSerializer.StatusReplyManifest, new VideoTaskReplies.StatusReply(Id, null) },
        { VideoTaskSerializer.CancelReplyManifest, new VideoTaskReplies.CancelReply(Id, CancelOutcome.RevokedWhileRunning) },
    };

    public static TheoryData<string, object> DispatcherMessages()
    {
        var expected = new ExpectedDuration(TimeSpan.FromSeconds(61.5), true, TimeSpan.FromSeconds(40));
        return new()
        {
            { VideoTaskSerializer.RequestSlotManifest, new DispatcherProtocol.RequestSlot(Id.Value, TaskPriority.Low, At, At.AddSeconds(5), VeoModels.Veo31FastVertex, true, true) },
            { VideoTaskSerializer.RequestSlotManifest, new DispatcherProtocol.RequestSlot(Id.Value, TaskPriority.High, At, null, "m", false) },
            { VideoTaskSerializer.SlotQueuedManifest, new DispatcherProtocol.SlotQueued(Id.Value, 17, 40, 8, expected) },
            { VideoTaskSerializer.SlotQueuedManifest, new DispatcherProtocol.SlotQueued(Id.Value, null, 0, 1, new ExpectedDuration(TimeSpan.FromSeconds(1), false)) },
            { VideoTaskSerializer.QueueIsFullManifest, new DispatcherProtocol.QueueIsFull(Id.Value, 10_000, TimeSpan.FromSeconds(2.5)) },
            { VideoTaskSerializer.SlotGrantedManifest, new DispatcherProtocol.SlotGranted(Id.Value, expected) },
            { VideoTaskSerializer.ReclaimSlotManifest, new DispatcherProtocol.ReclaimSlot(Id.Value, "m") },
            { VideoTaskSerializer.SlotReclaimedManifest, new DispatcherProtocol.SlotReclaimed(Id.Value, expected) },
            { VideoTaskSerializer.ReleaseSlotManifest, new DispatcherProtocol.ReleaseSlot(Id.Value) },
            { VideoTaskSerializer.TaskNotOpenManifest, new DispatcherProtocol.TaskNotOpen(Id.Value) },
            { VideoTaskSerializer.GoDormantManifest, new DispatcherProtocol.GoDormant(Id.Value, 1_234) },
            { VideoTaskSerializer.DormancyAcceptedManifest, new DispatcherProtocol.DormancyAccepted(Id.Value) },
            { VideoTaskSerializer.QuotaExceededManifest, new DispatcherProtocol.QuotaExceeded(Id.Value, TaskPriority.Normal, At, At.AddSeconds(7), "m") },
            { VideoTaskSerializer.GenerationObservedManifest, new DispatcherProtocol.GenerationObserved("m", TimeSpan.FromMilliseconds(12_345)) },
            { VideoTaskSerializer.GetQueueInfoManifest, new DispatcherProtocol.GetQueueInfo(Id.Value, "m") },
            { VideoTaskSerializer.QueueInfoManifest, new DispatcherProtocol.QueueInfo(Id.Value, 3, 9, 2, expected) },
            { VideoTaskSerializer.GetDispatcherStateManifest, DispatcherProtocol.GetState.Instance },
            { VideoTaskSerializer.DispatcherStateManifest, new DispatcherProtocol.State(8, 3, 4, 100, 8, 5, ["a", "b", "c", "d"], 1) },
        };
    }

    /// <summary>The dispatcher is a cluster singleton: what tasks and it say to each other crosses nodes.</summary>
    [Theory]
    [MemberData(nameof(DispatcherMessages))]
    public void Dispatcher_messages_round_trip(string manifest, object message) => AssertRoundTrip(manifest, message);

    [Theory]
    [MemberData(nameof(Events))]
    public void Events_round_trip(string manifest, object message) => AssertRoundTrip(manifest, message);

    [Theory]
    [MemberData(nameof(WireMessages))]
    public void Commands_and_replies_round_trip(string manifest, object message) => AssertRoundTrip(manifest, message);

    [Fact]
    public void A_full_status_round_trips()
    {
        var status = new VideoTaskStatus
        {
            TaskId = Id.Value,
            State = VideoTaskState.Success,
            Stage = VideoTaskStage.Done,
            StatusText = "Video ready (generation 7)",
            Progress = 100,
            ProgressIsEstimated = false,
            QueuePosition = 4,
            EstimatedTimeLeft = TimeSpan.FromMilliseconds(1500),
            Priority = TaskPriority.High,
            CreatedAt = At,
            StartedAt = At.AddSeconds(1),
            CompletedAt = At.AddSeconds(70),
            Result = new VideoTaskResult { GenerationId = 7, VideoLocation = "x.mp4", SizeBytes = 99, GenerationTimeSeconds = 69, OperationName = "op", Request = FullRequest },
            Error = new VideoTaskError("X", "y", new Dictionary<string, string> { ["k"] = "v" }),
            Warnings = ["first", "second"],
            Version = 1_764_160_000_123,
        };

        AssertRoundTrip(VideoTaskSerializer.StatusReplyManifest, new VideoTaskReplies.StatusReply(Id, status));
        AssertRoundTrip(VideoTaskSerializer.StatusReplyManifest, new VideoTaskReplies.StatusReply(Id, status with { Result = null, Error = null, Warnings = [], StartedAt = null, CompletedAt = null, QueuePosition = null, EstimatedTimeLeft = null }));
    }

    [Fact]
    public void Subscriptions_carry_a_resolvable_actor_ref()
    {
        var probe = CreateTestProbe();
        var back = (WatchProtocol.Subscribe)_serializer.FromBinary(_serializer.ToBinary(new WatchProtocol.Subscribe(Id, probe.Ref)), VideoTaskSerializer.SubscribeManifest);
        Assert.Equal(Id, back.TaskId);
        back.Subscriber.Tell("ping");
        probe.ExpectMsg("ping");

        var unsubscribe = (WatchProtocol.Unsubscribe)_serializer.FromBinary(_serializer.ToBinary(new WatchProtocol.Unsubscribe(Id, probe.Ref)), VideoTaskSerializer.UnsubscribeManifest);
        Assert.Equal(probe.Ref, unsubscribe.Subscriber);
    }

    [Fact]
    public void Every_veo_input_of_a_request_survives_the_journal()
    {
        var png = new VeoImage(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1 }, "image/png");
        var request = new VideoGenerationRequest
        {
            Veo = new GenerateVideoRequest
            {
                Model = VeoModels.Veo31Vertex,
                GenerateAudio = true,
                Image = png,
                LastFrame = png with { MimeType = "image/jpeg" },
                Video = VeoVideo.FromBytes(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74 }),
                CompressionQuality = VeoCompressionQuality.Lossless,
                ResizeMode = VeoResizeModes.Pad,
                Labels = new Dictionary<string, string> { ["team"] = "ads", ["cost-center"] = "42" },
                StorageUri = "gs://veo-out/videos/",
            },
        };
        var withReferences = request with
        {
            Veo = request.Veo with { Image = null, LastFrame = null, Video = VeoVideo.FromUri(new Uri("gs://veo-in/clip.mp4")), ReferenceImages = [new(png), new(png, VeoReferenceTypes.Style)] },
        };

        foreach (var original in new[] { request, withReferences })
        {
            var back = ((Submitted)_serializer.FromBinary(_serializer.ToBinary(new Submitted(Id, original, At)), VideoTaskSerializer.SubmittedManifest)).Request;
            Assert.True(BinaryFormat.SameContent(original, back));
            Assert.Null(back.Veo.Prompt);
            Assert.Equal(original.Veo.GenerateAudio, back.Veo.GenerateAudio);
            Assert.Equal(original.Veo.StorageUri, back.Veo.StorageUri);
            Assert.Equal(original.Veo.Labels, back.Veo.Labels);
            Assert.Equal(original.Veo.ReferenceImages?.Select(r => r.ReferenceType), back.Veo.ReferenceImages?.Select(r => r.ReferenceType));
            Assert.Equal(original.Veo.Video!.Uri, back.Veo.Video!.Uri);
            Assert.Equal(original.Veo.Video.Bytes?.ToArray(), back.Veo.Video.Bytes?.ToArray());
        }
    }

    [Fact]
    public void A_request_written_in_format_1_still_reads()
    {
        // The layout of a Submitted event as the first release wrote it: the prompt required, nothing after the image.
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write((byte)1);
            w.Write(Id.Value);
            w.Write(false);            // task id
            w.Write((byte)TaskPriority.High);
            w.Write(false);            // model key
            w.Write(false);            // ad id
            w.Write(VeoModels.Veo31);
            w.Write("a fox at dawn");
            w.Write(true);
            w.Write(VeoAspectRatios.Portrait);
            w.Write(false);            // duration
            w.Write(false);            // resolution
            w.Write(false);            // negative prompt
            w.Write(true);
            w.Write(7L);               // seed
            w.Write(false);            // sample count
            w.Write(false);            // person generation
            w.Write((byte)2);          // enhance prompt: true
            w.Write(true);
            w.Write("image/png");
            w.Write(2);
            w.Write(new byte[] { 1, 2 });
            w.Write(At.UtcTicks);
            w.Write((short)At.Offset.TotalMinutes);
        }

        var read = (Submitted)_serializer.FromBinary(buffer.ToArray(), VideoTaskSerializer.SubmittedManifest);

        Assert.Equal("a fox at dawn", read.Request.Veo.Prompt);
        Assert.Equal(VeoAspectRatios.Portrait, read.Request.Veo.AspectRatio);
        Assert.Equal(7L, read.Request.Veo.Seed);
        Assert.True(read.Request.Veo.EnhancePrompt);
        Assert.Equal(new byte[] { 1, 2 }, read.Request.Veo.Image!.Bytes.ToArray());
        Assert.Null(read.Request.Veo.StorageUri);
        Assert.Equal(TaskPriority.High, read.Request.Priority);
        Assert.Equal(At, read.At);
    }

    [Fact]
    public void The_journal_format_is_stable()
    {
        // The bytes of an event written by this version; a change here breaks every journal already written.
        // format version 1 | id "ab" (length-prefixed UTF-8) | WhileRunning = true | UTC ticks (little endian) | offset 0 min
        var bytes = _serializer.ToBinary(new Revoked(VideoTaskId.Parse("ab"), true, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        Assert.Equal("01-02-61-62-01-80-00-B7-96-AB-49-DE-08-00-00", BitConverter.ToString(bytes));
        Assert.Equal("VTE.Revoked", _serializer.Manifest(new Revoked(Id, true, At)));
        Assert.Equal(7317, _serializer.Identifier);
        Assert.True(_serializer.Identifier > 100);
    }

    [Fact]
    public void Unknown_manifests_versions_and_types_are_refused_clearly()
    {
        var bytes = _serializer.ToBinary(new Revoked(Id, false, At));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "VTE.Nope"));
        bytes[0] = 99;
        var ex = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, VideoTaskSerializer.RevokedManifest));
        Assert.Contains("version 99", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _serializer.Manifest("a string"));
        Assert.Throws<ArgumentException>(() => _serializer.ToBinary(42));
    }

    private void AssertRoundTrip(string manifest, object message)
    {
        Assert.Equal(manifest, _serializer.Manifest(message));
        var bytes = _serializer.ToBinary(message);
        var back = _serializer.FromBinary(bytes, manifest);
        Assert.IsType(message.GetType(), back);
        Assert.Equivalent(message, back, strict: true);

        // Equivalent does not look into ReadOnlyMemory; compare images byte by byte.
        var (expectedImage, actualImage) = (ImageOf(message), ImageOf(back));
        Assert.Equal(expectedImage?.MimeType, actualImage?.MimeType);
        Assert.Equal(expectedImage?.Bytes.ToArray(), actualImage?.Bytes.ToArray());

        // Deterministic: the same message always makes the same bytes.
        Assert.Equal(bytes, _serializer.ToBinary(back));
    }

    private static VeoImage? ImageOf(object message) => message switch
    {
        Submitted s => s.Request.Veo.Image,
        VideoTaskCommands.Submit s => s.Request.Veo.Image,
        VideoTaskReplies.StatusReply { Status.Result: { } r } => r.Request.Veo.Image,
        _ => null,
    };
}
