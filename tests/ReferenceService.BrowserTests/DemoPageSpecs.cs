using System.Net;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ReferenceService.BrowserTests;

/// <summary>
/// The demo page at <c>/</c> in headless Chromium against the running service: what a newcomer does
/// after <c>dotnet run</c>, clicked through and checked the way they would see it.
/// </summary>
public sealed class DemoPageSpecs(DemoServer server, ITestOutputHelper output) : IClassFixture<DemoServer>
{
    private static readonly TimeSpan GenerationTimeout = TimeSpan.FromSeconds(45);

    [BrowserFact]
    public Task Three_quick_clicks_give_three_videos_that_play() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();

        // arrange / act: Generate on three prompts, one right after the other
        int[] ads = [101, 102, 103];
        foreach (var ad in ads)
        {
            await demo.GenerateAsync(ad);
        }

        // assert: three cards, each with a task id, each reaching SUCCESS with a video
        await Expect(demo.Page.Locator(".card")).ToHaveCountAsync(3);
        foreach (var ad in ads)
        {
            await Expect(demo.Card(ad)).ToHaveAttributeAsync("data-state", "SUCCESS", Within(GenerationTimeout));
        }

        await demo.Page.EvaluateAsync("() => Promise.all([...document.querySelectorAll('.card video')].map(v => v.play()))");
        await demo.Page.WaitForFunctionAsync(
            """
            () => {
              const videos = [...document.querySelectorAll('.card video')];
              return videos.length === 3 && videos.every(v => v.readyState >= 2 && v.currentTime > 0 && v.videoWidth > 0);
            }
            """,
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });

        // the chosen format reaches the video: 101 and 103 are portrait prompts, 102 a landscape one
        foreach (var (ad, portrait) in new[] { (101, true), (102, false), (103, true) })
        {
            var size = await demo.Card(ad).Locator("video").EvaluateAsync<int[]>("v => [v.videoWidth, v.videoHeight]");
            Assert.True(portrait ? size[1] > size[0] : size[0] > size[1],
                $"ad {ad}: expected a {(portrait ? "portrait" : "landscape")} video, got {size[0]}×{size[1]}");
            await Expect(demo.Card(ad).Locator(".badge")).ToHaveTextAsync("Ready");
            await Expect(demo.Card(ad).GetByRole(AriaRole.Link, new() { Name = $"Download MP4 of ad {ad}" })).ToBeVisibleAsync();
        }

        // progress came over the live streams, not by polling
        Assert.Equal(3, demo.RequestCount("/events"));
        Assert.Equal(0, demo.RequestCount("/status"));

        await SaveDemoScreenshotAsync(demo.Page);

        // a reload keeps the finished generations on the page
        await demo.Page.ReloadAsync();
        await Expect(demo.Page.Locator(".card[data-state='SUCCESS'] video")).ToHaveCountAsync(3);
    });

    [BrowserFact]
    public Task Seven_quick_clicks_share_four_live_streams_and_all_finish() => WithPageAsync(async demo =>
    {
        // the original users clicked Generate seven times; a browser holds only six connections per host, so the
        // page keeps at most four event streams open and polls the rest until a stream comes free
        await demo.OpenAsync();
        int[] clicks = [101, 102, 103, 104, 101, 102, 103];
        foreach (var ad in clicks)
        {
            await demo.GenerateAsync(ad);
        }

        await Expect(demo.Page.Locator(".card")).ToHaveCountAsync(clicks.Length);
        await Expect(demo.Page.Locator(".card[data-transport='polling'] .transport").First)
            .ToContainTextAsync("4 live streams are already open");

        await Expect(demo.Page.Locator(".card[data-state='SUCCESS']")).ToHaveCountAsync(clicks.Length, new() { Timeout = 60_000 });
        await demo.Page.WaitForFunctionAsync(
            "n => { const v = [...document.querySelectorAll('.card video')]; return v.length === n && v.every(x => x.readyState >= 2); }",
            clicks.Length,
            new PageWaitForFunctionOptions { Timeout = 30_000 });

        var taskIds = await demo.Page.Locator(".card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.taskId)");
        Assert.Equal(clicks.Length, taskIds.Distinct().Count());
        Assert.InRange(demo.RequestCount("/events"), 4, clicks.Length);
        Assert.True(demo.RequestCount("/status") > 0, "the cards beyond four streams should have polled");
    });

    [BrowserFact]
    public Task A_reload_picks_up_a_running_generation() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        await demo.PromptText(103).FillAsync("A smartphone turns slowly on a turntable [sim:latency=6]");
        await demo.GenerateAsync(103);
        var taskId = await demo.TaskIdOfAsync(demo.Card(103));
        await Expect(demo.Card(103)).ToHaveAttributeAsync("data-state", new Regex("^(PENDING|PROGRESS)$"));

        await demo.Page.ReloadAsync();

        var card = demo.Page.Locator($".card[data-task-id='{taskId}']");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToHaveAttributeAsync("data-state", "SUCCESS", Within(GenerationTimeout));
        await Expect(card.Locator("video")).ToHaveCountAsync(1);
    });

    [BrowserFact]
    public Task A_failed_generation_shows_its_error_text() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        var failing = await demo.AddPromptAsync("A lighthouse at dusk, waves breaking on the rocks [sim:error]");
        var filtered = await demo.AddPromptAsync("A crowded night market, neon signs, steam from food stalls [sim:filtered]");

        await demo.GenerateAsync(failing);
        await demo.GenerateAsync(filtered);

        foreach (var ad in new[] { failing, filtered })
        {
            var card = demo.Card(ad);
            await Expect(card).ToHaveAttributeAsync("data-state", "FAILURE", Within(GenerationTimeout));
            await Expect(card.Locator(".badge")).ToHaveTextAsync("Failed");

            // the card shows the error the API reports for the task, word for word
            var status = await GetStatusAsync(await demo.TaskIdOfAsync(card));
            Assert.Equal("FAILURE", status.GetProperty("state").GetString());
            var message = status.GetProperty("error").GetProperty("message").GetString();
            Assert.False(string.IsNullOrWhiteSpace(message), $"ad {ad}: the API gave no error message");
            await Expect(card.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            await Expect(card.GetByRole(AriaRole.Alert)).ToContainTextAsync(message!);
            await Expect(card.Locator("video")).ToHaveCountAsync(0);
        }
    });

    [BrowserFact]
    public Task A_request_the_service_refuses_shows_its_problem_details() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        var tooLong = string.Join(' ', Enumerable.Repeat("sparkling lemonade", 500)); // 9,499 characters
        await demo.PromptText(101).FillAsync(tooLong);

        await demo.GenerateAsync(101);

        var card = demo.Card(101);
        await Expect(card).ToHaveAttributeAsync("data-state", "REJECTED");
        await Expect(card.Locator(".badge")).ToHaveTextAsync("Not started");
        Assert.Null(await card.GetAttributeAsync("data-task-id"));

        // the card shows the field error of the service's problem details, as the API words it
        using var response = await server.Api.PostAsJsonAsync(
            new Uri("api/v1/settings/ai/veo/generate-video-async", UriKind.Relative),
            new Dictionary<string, object>
            {
                ["prompt"] = tooLong,
                ["aspect_ratio"] = "VIDEO_ASPECT_RATIO_PORTRAIT",
                ["video_model_key"] = "veo_3_1_t2v_fast_portrait",
                ["ad_id"] = 101,
            });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var promptError = problem.RootElement.GetProperty("errors").GetProperty("prompt")[0].GetString();
        await Expect(card.GetByRole(AriaRole.Alert)).ToContainTextAsync($"prompt: {promptError}");
    });

    [BrowserFact]
    public Task A_cancelled_generation_says_cancelled() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        await demo.PromptText(104).FillAsync("A slow aerial shot over vineyards at sunrise [sim:latency=60]");

        await demo.GenerateAsync(104);
        var card = demo.Card(104);
        var taskId = await demo.TaskIdOfAsync(card);
        await Expect(card).ToHaveAttributeAsync("data-state", new Regex("^(PENDING|PROGRESS)$"));

        // while it runs: a countdown from the service's ETA and a progress bar screen readers can read
        await Expect(card.Locator(".countdown")).ToHaveTextAsync(new Regex(@"(about \d+:\d{2} left|finishing…)$"));
        await Expect(card.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", new Regex(@"^\d+$"));

        await demo.CancelAsync(104);

        await Expect(card).ToHaveAttributeAsync("data-state", "REVOKED", Within(GenerationTimeout));
        await Expect(card.Locator(".badge")).ToHaveTextAsync("Cancelled");
        await Expect(card.Locator(".status-text")).ToContainTextAsync("Cancelled");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Cancel the generation for ad 104" })).ToBeHiddenAsync();
        await Expect(card.Locator("video")).ToHaveCountAsync(0);
        Assert.Equal("REVOKED", (await GetStatusAsync(taskId)).GetProperty("state").GetString());
    });

    [BrowserFact]
    public Task Without_the_event_stream_the_page_polls_and_says_so() => WithPageAsync(async demo =>
    {
        // the stream is refused, as by a proxy that does not pass Server-Sent Events
        await demo.Context.RouteAsync("**/events", route => route.AbortAsync());
        await demo.OpenAsync();
        await demo.PromptText(102).FillAsync("Trail running shoes splash through a mountain stream [sim:latency=5]");

        await demo.GenerateAsync(102);
        var card = demo.Card(102);

        var notice = card.Locator(".transport");
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToContainTextAsync("polling the status every 3 s");
        await Expect(card).ToHaveAttributeAsync("data-transport", "polling");

        await Expect(card).ToHaveAttributeAsync("data-state", "SUCCESS", Within(GenerationTimeout));
        await Expect(card.Locator("video")).ToHaveCountAsync(1);
        await demo.Page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('.card video'); return v && v.readyState >= 2; }");
        Assert.True(demo.RequestCount("/status") >= 2,
            $"expected the status to be polled while the task ran; saw {demo.RequestCount("/status")} status requests");
    });

    [BrowserFact]
    public Task At_360_pixels_nothing_overflows_sideways() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        var ad = await demo.AddPromptAsync(
            "A product close-up with a very long unbroken token SupercalifragilisticexpialidociousSparklingLemonadeLimitedEdition2026 [sim:error]");
        await demo.GenerateAsync(101);
        await demo.GenerateAsync(ad);
        await Expect(demo.Card(101)).ToHaveAttributeAsync("data-state", "SUCCESS", Within(GenerationTimeout));
        await Expect(demo.Card(ad)).ToHaveAttributeAsync("data-state", "FAILURE", Within(GenerationTimeout));

        var overflow = await demo.Page.EvaluateAsync<int>(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the 360px viewport");

        foreach (var button in await demo.Page.GetByRole(AriaRole.Button, new() { Name = "Generate video for ad" }).AllAsync())
        {
            var box = await button.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 360, $"a Generate button sits outside the viewport ({box.X}+{box.Width})");
        }

        var videoBox = await demo.Card(101).Locator("video").BoundingBoxAsync();
        Assert.NotNull(videoBox);
        Assert.True(videoBox.X >= 0 && videoBox.X + videoBox.Width <= 360, "the video is wider than the viewport");
    }, width: 360, height: 780);

    [BrowserFact]
    public Task The_page_has_no_serious_accessibility_violations() => WithPageAsync(async demo =>
    {
        await demo.OpenAsync();
        var failing = await demo.AddPromptAsync("A rainy street at night, reflections in puddles [sim:error]");
        await demo.GenerateAsync(103);
        await demo.GenerateAsync(failing);
        await Expect(demo.Card(103)).ToHaveAttributeAsync("data-state", "SUCCESS", Within(GenerationTimeout));
        await Expect(demo.Card(failing)).ToHaveAttributeAsync("data-state", "FAILURE", Within(GenerationTimeout));

        // both colour schemes: the page follows the system's light or dark preference
        var serious = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await demo.Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            var result = await demo.Page.RunAxe();
            serious.AddRange(result.Violations
                .Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{scheme}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
        }

        Assert.True(serious.Count == 0, "axe found:\n" + string.Join('\n', serious));
    });

    private static LocatorAssertionsToHaveAttributeOptions Within(TimeSpan timeout) =>
        new() { Timeout = (float)timeout.TotalMilliseconds };

    private async Task<JsonElement> GetStatusAsync(string taskId)
    {
        using var response = await server.Api.GetAsync(
            new Uri($"api/v1/settings/ai/veo/tasks/{Uri.EscapeDataString(taskId)}/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Runs a test in a fresh page; on failure saves a screenshot and names it in the test output. Script errors
    /// in the page fail the test even when everything it looked at was right.
    /// </summary>
    private async Task WithPageAsync(Func<DemoPage, Task> test, int width = 1280, int height = 860,
        [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        await using var demo = await server.OpenPageAsync(width, height);
        try
        {
            await test(demo);
            Assert.True(demo.ScriptErrors.Count == 0, "script errors in the page:\n" + string.Join('\n', demo.ScriptErrors));
        }
        catch (Exception failure)
        {
            try
            {
                output.WriteLine($"screenshot of the failing page: {await demo.SaveFailureScreenshotAsync(name)}");
            }
            catch (PlaywrightException screenshotFailure)
            {
                output.WriteLine($"no screenshot: {screenshotFailure.Message}");
            }

            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>
    /// The README's picture of the page: three finished videos, paused on the same frame and without their
    /// (animated) controls so the picture is stable, at the top of the page. Always written next to the test binaries; copied into docs/images when it is missing there or
    /// when VEO_UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the working tree clean.
    /// </summary>
    private async Task SaveDemoScreenshotAsync(IPage page)
    {
        await page.EvaluateAsync(
            """
            () => Promise.all([...document.querySelectorAll('.card video')].map(v => new Promise(resolve => {
              v.pause();
              v.controls = false; // Chromium fades its controls in and out; a picture without them is stable
              v.addEventListener('seeked', resolve, { once: true });
              v.currentTime = Math.min(1, v.duration / 2);
            })))
            """);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.Mouse.MoveAsync(0, 0);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Type = ScreenshotType.Png, // the viewport: header, prompts and the three cards, no long scroll
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });

        var local = Path.Combine(AppContext.BaseDirectory, "screenshots", "demo-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await File.WriteAllBytesAsync(local, bytes);
        output.WriteLine($"screenshot: {local} ({bytes.Length / 1024} KiB)");

        var root = RepositoryRoot();
        if (root is null)
        {
            return;
        }

        var published = Path.Combine(root, "docs", "images", "demo-page.png");
        if (!File.Exists(published) || Environment.GetEnvironmentVariable("VEO_UPDATE_SCREENSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(published)!);
            await File.WriteAllBytesAsync(published, bytes);
            output.WriteLine($"screenshot published: {published}");
        }
    }

    private static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Veo.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
