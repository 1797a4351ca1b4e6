using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReferenceService.BrowserTests;

/// <summary>
/// The demo page in one browser context, spoken to the way a user would (roles and labels), plus what the
/// browser saw: script errors and the API requests the page made.
/// </summary>
public sealed class DemoPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _scriptErrors = new();
    private readonly ConcurrentQueue<string> _requests = new();

    public DemoPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.PageError += (_, error) => _scriptErrors.Enqueue(error);
        page.Request += (_, request) => _requests.Enqueue(new Uri(request.Url).AbsolutePath);
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Uncaught exceptions in the page's script: a bug in app.js, whatever else the test checks.</summary>
    public IReadOnlyCollection<string> ScriptErrors => _scriptErrors;

    public int RequestCount(string pathSuffix) => _requests.Count(path => path.EndsWith(pathSuffix, StringComparison.Ordinal));

    public async Task OpenAsync()
    {
        await Page.GotoAsync("/");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Veo video generation", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.Locator(".prompt-item").First).ToBeVisibleAsync();
    }

    /// <summary>The newest card of an ad (cards are listed newest first).</summary>
    public ILocator Card(int adId) => Page.Locator($".card[data-ad-id='{adId}']").First;

    public ILocator PromptText(int adId) => Page.GetByLabel($"Prompt of Ad {adId}", new() { Exact = true });

    public Task GenerateAsync(int adId) =>
        Page.GetByRole(AriaRole.Button, new() { Name = $"Generate video for ad {adId}", Exact = true }).ClickAsync();

    public Task CancelAsync(int adId) =>
        Page.GetByRole(AriaRole.Button, new() { Name = $"Cancel the generation for ad {adId}", Exact = true }).ClickAsync();

    /// <summary>Adds a prompt through the form and returns the ad id the page gave it.</summary>
    public async Task<int> AddPromptAsync(string text)
    {
        var before = await Page.Locator(".prompt-item").CountAsync();
        await Page.GetByLabel("New prompt", new() { Exact = true }).FillAsync(text);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add prompt", Exact = true }).ClickAsync();
        var added = Page.Locator(".prompt-item").Nth(before);
        await Expect(added).ToBeVisibleAsync();
        var adId = int.Parse(await added.GetAttributeAsync("data-ad-id") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(PromptText(adId)).ToHaveValueAsync(text);
        return adId;
    }

    public async Task<string> TaskIdOfAsync(ILocator card)
    {
        await Expect(card).ToHaveAttributeAsync("data-task-id", new System.Text.RegularExpressions.Regex(".+"));
        return await card.GetAttributeAsync("data-task-id") ?? throw new InvalidOperationException("card without task id");
    }

    /// <summary>Saves what the page looked like, for the test log when something fails.</summary>
    public async Task<string> SaveFailureScreenshotAsync(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "failures");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
