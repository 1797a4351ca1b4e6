using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Tests;

/// <summary>The API key never shows up in logs, exceptions or ToString; the prompt never at Information.</summary>
public sealed class SecretsAndLoggingTests
{
    private const string SecretKey = "AIzaSy-TEST-SECRET-0123456789";

    [Fact]
    public async Task Should_keep_the_api_key_out_of_every_log_entry_and_exception()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync(apiKey: SecretKey);
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var client = TestClients.Gemini(simulator, loggerFactory: loggerFactory);
        var errors = new List<Exception>();

        // act: success with download, a poll retry, a filtered and a failed generation, a 500 and a 429
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A secret garden [sim:poll503]"));
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await client.DownloadVideoAsync(result.GetVideosOrThrow()[0], Stream.Null);
        foreach (var prompt in new[] { "x [sim:filtered]", "x [sim:error]" })
        {
            var other = await client.StartGenerateVideoAsync(TestClients.Request(prompt));
            await other.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        foreach (var prompt in new[] { "x [sim:500]", "x [sim:429]" })
        {
            errors.Add(await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request(prompt))));
        }

        // assert
        Assert.NotEmpty(logs.Entries);
        Assert.All(logs.AllText(), text => Assert.DoesNotContain(SecretKey, text, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain(SecretKey, e.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(SecretKey, client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, TestClients.GeminiOptions(simulator).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, operation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_each_poll_at_information_with_the_next_delay_but_never_the_prompt()
    {
        // arrange
        const string Prompt = "A confidential product launch teaser";
        await using var simulator = await TestClients.StartSimulatorAsync(TimeSpan.FromMilliseconds(600));
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var client = TestClients.Gemini(simulator, o => o.PollingInterval = TimeSpan.FromMilliseconds(150), loggerFactory);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(Prompt));
        await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        var pending = logs.Entries.Where(e => e.EventId.Name == "OperationPending").ToList();
        Assert.NotEmpty(pending);
        Assert.All(pending, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.All(pending, e => Assert.Contains("00:00:00.1500000", e.Message, StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId.Name == "OperationCompleted");
        Assert.All(logs.AllText(), text => Assert.DoesNotContain(Prompt, text, StringComparison.Ordinal));
    }
}
