using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>The Gemini API path end to end against the simulator over loopback HTTP.</summary>
public sealed class GeminiRoundTripTests
{
    [Fact]
    public async Task Should_return_a_playable_mp4_when_a_generation_succeeds()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request() with { AspectRatio = VeoAspectRatios.Portrait });
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var video = Assert.Single(result.GetVideosOrThrow());
        using var destination = new MemoryStream();
        var written = await client.DownloadVideoAsync(video, destination);

        // assert
        Assert.StartsWith("models/veo-3.1-fast-generate-preview/operations/", operation.Name, StringComparison.Ordinal);
        Assert.True(operation.HasCompleted);
        Assert.True(operation.HasValue);
        Assert.NotNull(video.Uri);
        Assert.Equal(destination.Length, written);
        Assert.True(written > 1000, $"only {written} bytes");
        Assert.True(Mp4.StartsWithFtypBox(destination.ToArray()), "the download is not an MP4 (no ftyp box)");
        var stats = simulator.GetStats();
        Assert.Equal(1, stats.OperationsStarted);
        Assert.Equal(1, stats.Downloads);
        Assert.True(stats.Polls >= 1);
    }

    [Fact]
    public async Task Should_write_the_whole_file_and_no_partial_file_when_downloading_to_a_path()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        var directory = Directory.CreateTempSubdirectory("veo-sdk-tests-");
        var path = Path.Combine(directory.FullName, "nested", "video.mp4");
        try
        {
            var operation = await client.StartGenerateVideoAsync(TestClients.Request());
            var video = (await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];

            // act
            var written = await client.DownloadVideoToFileAsync(video, path);

            // assert
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(bytes.Length, written);
            Assert.True(Mp4.StartsWithFtypBox(bytes));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_fetch_a_file_again_when_its_download_breaks_off_midway()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        var directory = Directory.CreateTempSubdirectory("veo-sdk-tests-");
        var path = Path.Combine(directory.FullName, "video.mp4");
        try
        {
            var operation = await client.StartGenerateVideoAsync(TestClients.Request("A kite over the dunes [sim:brokendownload=2]"));
            var video = (await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];

            // act
            var written = await client.DownloadVideoToFileAsync(video, path);

            // assert: two broken bodies, then the whole file; nothing of the broken attempts is left
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(bytes.Length, written);
            Assert.True(Mp4.StartsWithFtypBox(bytes));
            using var whole = new MemoryStream();
            await client.DownloadVideoAsync(video, whole);
            Assert.Equal(whole.ToArray(), bytes);
            Assert.Single(Directory.GetFiles(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_give_up_after_the_retries_and_leave_no_file_when_every_download_breaks_off()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);   // MaxRetries = 3
        var directory = Directory.CreateTempSubdirectory("veo-sdk-tests-");
        var path = Path.Combine(directory.FullName, "video.mp4");
        try
        {
            var operation = await client.StartGenerateVideoAsync(TestClients.Request("A kite over the dunes [sim:brokendownload=4]"));
            var video = (await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];

            // act
            var failure = await Assert.ThrowsAnyAsync<VeoRequestFailedException>(() => client.DownloadVideoToFileAsync(video, path));

            // assert: the first attempt and three more, each broken
            Assert.Contains("broke off", failure.Message, StringComparison.Ordinal);
            Assert.Equal(4, simulator.GetStats().Downloads);
            Assert.Empty(Directory.GetFiles(directory.FullName));

            // a stream download is not retried once bytes were written: it reports the break at once
            using var partial = new MemoryStream();
            simulator.ResetStats();
            var operation2 = await client.StartGenerateVideoAsync(TestClients.Request("A second kite [sim:brokendownload]"));
            var video2 = (await operation2.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];
            await Assert.ThrowsAnyAsync<VeoRequestFailedException>(() => client.DownloadVideoAsync(video2, partial));
            Assert.True(partial.Length > 0, "the stream holds the part that arrived");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_report_a_filtered_outcome_not_an_empty_success_when_veo_withholds_the_video()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:filtered]"));
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        var filtered = Assert.IsType<GenerateVideoResult.Filtered>(result);
        Assert.True(filtered.FilteredCount >= 1);
        Assert.NotEmpty(filtered.Reasons);
        Assert.False(operation.HasValue);
        var thrown = Assert.Throws<VeoGenerationFilteredException>(() => result.GetVideosOrThrow());
        Assert.Equal(filtered.Reasons, thrown.Reasons);
    }

    [Fact]
    public async Task Should_report_the_google_rpc_error_when_the_operation_fails()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:error]"));
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        var failed = Assert.IsType<GenerateVideoResult.Failed>(result);
        Assert.Equal(13, failed.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error.Message));
        var thrown = Assert.Throws<VeoGenerationFailedException>(() => result.GetVideosOrThrow());
        Assert.Equal(13, thrown.Error.Code);
    }

    [Fact]
    public async Task Should_report_a_scripted_operation_error_with_its_code_and_message()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        simulator.Enqueue(new SimulatedOutcome.OperationError(3, "The prompt could not be processed.", TimeSpan.FromMilliseconds(100)));
        var client = TestClients.Gemini(simulator);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request());
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        var failed = Assert.IsType<GenerateVideoResult.Failed>(result);
        Assert.Equal(new VeoOperationError(3, "The prompt could not be processed."), failed.Error);
    }

    [Fact]
    public async Task Should_finish_the_operation_from_a_fresh_client_when_reattaching_by_name()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var starter = TestClients.Gemini(simulator);
        var name = (await starter.StartGenerateVideoAsync(TestClients.Request())).Name;

        // act
        var fresh = TestClients.Gemini(simulator);
        var reattached = fresh.GetGenerateVideoOperation(name);
        var result = await reattached.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.Equal(name, reattached.Name);
        Assert.Single(result.GetVideosOrThrow());
        Assert.Equal(1, simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_report_running_then_done_when_polling_by_hand()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync(TimeSpan.FromSeconds(1));
        var client = TestClients.Gemini(simulator);
        var operation = await client.StartGenerateVideoAsync(TestClients.Request());

        // act
        var first = await client.GetOperationStatusAsync(operation.Name);
        VeoOperationStatus? last = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (last is not { HasCompleted: true })
        {
            await Task.Delay(100, deadline.Token);
            last = await operation.UpdateStatusAsync(deadline.Token);
        }

        // assert
        Assert.False(first.HasCompleted);
        Assert.Null(first.Result);
        Assert.Throws<InvalidOperationException>(() => client.GetGenerateVideoOperation(operation.Name).Value);
        Assert.IsType<GenerateVideoResult.Succeeded>(last.Result);
        Assert.Same(last, operation.LastStatus);
    }

    [Fact]
    public async Task Should_stop_waiting_but_leave_the_generation_running_when_the_token_is_cancelled()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync(TimeSpan.FromSeconds(60));
        var client = TestClients.Gemini(simulator);
        var operation = await client.StartGenerateVideoAsync(TestClients.Request());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // act
        var wait = operation.WaitForCompletionAsync(cancellation.Token);
        var thrown = await Record.ExceptionAsync(() => wait.WaitAsync(TimeSpan.FromSeconds(20)));

        // assert
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.False(operation.HasCompleted);
        Assert.Equal(1, simulator.GetStats().Active);
    }

    [Fact]
    public async Task Should_translate_an_unknown_model_into_not_found()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act
        var thrown = await Assert.ThrowsAsync<VeoModelUnavailableException>(
            () => client.StartGenerateVideoAsync(TestClients.Request(model: "veo-9.9-imaginary-preview")));

        // assert
        Assert.Equal("veo-9.9-imaginary-preview", thrown.Model);
        Assert.Equal(404, thrown.Status);
        Assert.Equal("NOT_FOUND", thrown.ErrorCode);
        Assert.Contains("veo-9.9-imaginary-preview", thrown.Message, StringComparison.Ordinal);
        Assert.False(thrown.IsTransient);
        Assert.Equal(0, simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_translate_a_wrong_key_into_a_permission_error()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator, o => o.ApiKey = "not-the-right-key");

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request()));

        // assert
        Assert.Equal(403, thrown.Status);
        Assert.False(string.IsNullOrEmpty(thrown.ErrorCode));
        Assert.DoesNotContain("not-the-right-key", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-right-key", thrown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_pass_the_request_parameters_the_simulator_checks()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        var request = TestClients.Request(model: VeoModels.Veo31) with
        {
            AspectRatio = VeoAspectRatios.Landscape,
            DurationSeconds = 8,
            Resolution = VeoResolutions.FullHd1080,
            NegativePrompt = "blur",
            PersonGeneration = VeoPersonGeneration.AllowAll,
        };

        // act
        var operation = await client.StartGenerateVideoAsync(request);
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
    }

    [Fact]
    public async Task Should_surface_the_simulators_invalid_argument_when_a_model_does_not_support_a_parameter()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);

        // act: Veo 3 takes no reference images (the SDK does not know every model's rules; Veo answers 400)
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(
            TestClients.Request(model: VeoModels.Veo30) with { ReferenceImages = [new VeoReferenceImage(new VeoImage(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png"))], DurationSeconds = 8 }));

        // assert
        Assert.Equal(400, thrown.Status);
        Assert.Equal("INVALID_ARGUMENT", thrown.ErrorCode);
        Assert.Equal(0, simulator.GetStats().OperationsStarted);
    }
}
