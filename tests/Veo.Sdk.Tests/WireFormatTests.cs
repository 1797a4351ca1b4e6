using System.Text.Json;
using Veo.Sdk.Internal;

namespace Veo.Sdk.Tests;

/// <summary>Parsing of Google's shapes that the simulator does not produce on demand (pure functions, no I/O).</summary>
public sealed class WireFormatTests
{
    [Theory]
    [InlineData("25s", 25_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0.000500s", 0.5)]
    [InlineData("0s", 0)]
    public void Should_parse_protobuf_durations(string value, double milliseconds)
    {
        Assert.True(GoogleErrors.TryParseDuration(value, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("25")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1,5s")]
    [InlineData("")]
    public void Should_refuse_malformed_durations(string value)
        => Assert.False(GoogleErrors.TryParseDuration(value, out _));

    [Fact]
    public void Should_read_status_message_and_retry_info_from_googles_quota_error()
    {
        // arrange
        const string Body = """
            {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[
              {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"m","quotaId":"PredictLongRunningRequestsPerDayPerProjectPerModel"}]},
              {"@type":"type.googleapis.com/google.rpc.Help","links":[{"url":"https://ai.google.dev"}]},
              {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"25s"}]}}
            """;

        // act
        var exception = GoogleErrors.FromResponse(429, Body, null, "the start", new Redactor("k"), DateTimeOffset.UtcNow);

        // assert
        Assert.Equal(429, exception.Status);
        Assert.Equal("RESOURCE_EXHAUSTED", exception.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(25), exception.RetryAfter);
        Assert.Contains("You exceeded your current quota.", exception.Message, StringComparison.Ordinal);
        Assert.True(exception.IsQuotaExceeded);
    }

    [Fact]
    public void Should_read_the_array_variant_and_survive_non_json_bodies()
    {
        Assert.Equal("UNAVAILABLE", GoogleErrors.TryParseError("""[{"error":{"code":503,"message":"down","status":"UNAVAILABLE"}}]""")?.Status);
        Assert.Null(GoogleErrors.TryParseError("<html>bad gateway</html>"));
        var exception = GoogleErrors.FromResponse(502, "<html>bad gateway</html>", null, "the poll", new Redactor(null), DateTimeOffset.UtcNow);
        Assert.Null(exception.ErrorCode);
        Assert.Contains("bad gateway", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_scrub_the_key_if_google_echoes_it()
    {
        var exception = GoogleErrors.FromResponse(400, """{"error":{"code":400,"message":"API key AIza-secret not valid","status":"INVALID_ARGUMENT"}}""", null, "the start", new Redactor("AIza-secret"), DateTimeOffset.UtcNow);
        Assert.DoesNotContain("AIza-secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_a_failure_not_an_empty_success_when_done_carries_nothing()
    {
        // arrange
        var operation = Parse("""{"name":"models/m/operations/x","done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse","generateVideoResponse":{}}}""");

        // act
        var status = OperationParser.ToStatus(operation, "models/m/operations/x", null);

        // assert
        var failed = Assert.IsType<GenerateVideoResult.Failed>(status.Result);
        Assert.Equal(2, failed.Error.Code);
        Assert.Contains("neither videos", failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_vertex_gcs_uris_and_inline_bytes_and_vertex_filtering()
    {
        var videos = Parse("""{"name":"n","done":true,"response":{"videos":[{"gcsUri":"gs://bucket/a.mp4","mimeType":"video/mp4"},{"bytesBase64Encoded":"AAEC","mimeType":"video/mp4"}]}}""");
        var succeeded = Assert.IsType<GenerateVideoResult.Succeeded>(OperationParser.ToResult(videos));
        Assert.Equal(new Uri("gs://bucket/a.mp4"), succeeded.Videos[0].Uri);
        Assert.Equal(new byte[] { 0, 1, 2 }, succeeded.Videos[1].InlineBytes!.Value.ToArray());

        var filtered = Parse("""{"name":"n","done":true,"response":{"raiMediaFilteredCount":1,"raiMediaFilteredReasons":["58061214"]}}""");
        Assert.Equal(["58061214"], Assert.IsType<GenerateVideoResult.Filtered>(OperationParser.ToResult(filtered)).Reasons);
    }

    [Fact]
    public void Should_treat_an_absent_done_as_running()
    {
        var status = OperationParser.ToStatus(Parse("""{"name":"models/m/operations/x"}"""), "models/m/operations/x", TimeSpan.FromSeconds(5));
        Assert.False(status.HasCompleted);
        Assert.Equal(TimeSpan.FromSeconds(5), status.SuggestedPollDelay);
    }

    [Fact]
    public async Task Should_refuse_a_cloud_storage_uri_for_download_with_a_clear_message()
    {
        var client = new VeoClient(new VeoClientOptions { ApiKey = "k" });
        var thrown = await Assert.ThrowsAsync<NotSupportedException>(() => client.DownloadVideoAsync(new GeneratedVideo(new Uri("gs://bucket/a.mp4")), Stream.Null));
        Assert.Contains("Cloud Storage", thrown.Message, StringComparison.Ordinal);
    }

    private static OperationResource Parse(string json) => JsonSerializer.Deserialize(json, VeoJsonContext.Default.OperationResource)!;
}
