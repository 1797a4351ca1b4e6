using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Veo.Sdk.Testing.Internal;

namespace Veo.Sdk.Testing.Tests;

/// <summary>
/// The Cloud Storage JSON API for objects clients write: resumable uploads with their session PUTs, multipart and media
/// uploads, reads with ranges, deletes and server-side rewrites, refused as Google refuses them.
/// </summary>
public sealed class CloudStorageTests
{
    private const string Bucket = "videos-bucket";

    [Fact]
    public async Task Should_store_an_object_uploaded_in_resumable_chunks_and_serve_delete_and_forget_it()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var bytes = Payload(SimulatedBuckets.ChunkGranularity + 1000);
        var session = await BeginAsync(sim, "out/task 1.mp4", bytes.Length);

        // act
        using var first = await PutAsync(sim, session, bytes[..SimulatedBuckets.ChunkGranularity], $"bytes 0-{SimulatedBuckets.ChunkGranularity - 1}/{bytes.Length}");
        using var status = await PutAsync(sim, session, [], $"bytes */{bytes.Length}");
        using var last = await PutAsync(sim, session, bytes[SimulatedBuckets.ChunkGranularity..], $"bytes {SimulatedBuckets.ChunkGranularity}-{bytes.Length - 1}/{bytes.Length}", Crc32c.Base64(bytes));
        using var again = await PutAsync(sim, session, [], $"bytes */{bytes.Length}");
        var path = $"storage/v1/b/{Bucket}/o/{Uri.EscapeDataString("out/task 1.mp4")}";
        using var metadata = await SendAsync(sim, HttpMethod.Get, path);
        using var media = await SendAsync(sim, HttpMethod.Get, path + "?alt=media");
        using var ranged = await SendAsync(sim, HttpMethod.Get, path + "?alt=media", request => request.Headers.Range = new RangeHeaderValue(10, 19));
        var names = sim.Simulator.GetStorageObjectNames(Bucket);
        using var deleted = await SendAsync(sim, HttpMethod.Delete, path);
        using var gone = await SendAsync(sim, HttpMethod.Get, path + "?alt=media");
        using var deletedAgain = await SendAsync(sim, HttpMethod.Delete, path);

        // assert
        Assert.Equal((HttpStatusCode)308, first.StatusCode);
        Assert.Equal($"bytes=0-{SimulatedBuckets.ChunkGranularity - 1}", first.Headers.GetValues("Range").Single());
        Assert.Equal((HttpStatusCode)308, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        var created = await TestSimulator.ReadJsonAsync(last);
        Assert.Equal("out/task 1.mp4", created.GetProperty("name").GetString());
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), created.GetProperty("size").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(created.GetProperty("generation").GetString(), (await TestSimulator.ReadJsonAsync(again)).GetProperty("generation").GetString());

        var json = await TestSimulator.ReadJsonAsync(metadata);
        Assert.Equal(Crc32c.Base64(bytes), json.GetProperty("crc32c").GetString());
        Assert.Equal("video/mp4", json.GetProperty("contentType").GetString());
        Assert.Equal(bytes, await media.Content.ReadAsByteArrayAsync());
        Assert.Contains($"crc32c={Crc32c.Base64(bytes)}", media.Headers.GetValues("x-goog-hash").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(bytes[10..20], await ranged.Content.ReadAsByteArrayAsync());
        Assert.Equal(["out/task 1.mp4"], names);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var error = (await TestSimulator.ReadJsonAsync(gone)).GetProperty("error");
        Assert.Equal($"No such object: {Bucket}/out/task 1.mp4", error.GetProperty("message").GetString());
        Assert.Equal("notFound", error.GetProperty("errors")[0].GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Empty(sim.Simulator.GetStorageObjectNames(Bucket));
        Assert.Equal(1, sim.Simulator.GetStats().StorageUploads);
    }

    [Fact]
    public async Task Should_refuse_uploads_that_google_refuses_and_create_nothing()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var bytes = Payload(1000);
        var session = await BeginAsync(sim, "refused.mp4", bytes.Length);

        // act
        using var anonymous = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=resumable", request => request.Headers.Authorization = null);
        using var noName = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=resumable", request => request.Content = new StringContent("{}", Encoding.UTF8, "application/json"));
        using var badBucket = await SendAsync(sim, HttpMethod.Post, "upload/storage/v1/b/Bad_Bucket!/o?uploadType=media&name=a.mp4");
        using var noType = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?name=a.mp4");
        using var shortChunk = await PutAsync(sim, session, bytes[..100], $"bytes 0-99/{bytes.Length}");
        using var wrongLength = await PutAsync(sim, session, bytes, $"bytes 0-10/{bytes.Length}");
        using var badRange = await PutAsync(sim, session, bytes, "items 0-999/1000");
        using var wrongHash = await PutAsync(sim, session, bytes, $"bytes 0-999/{bytes.Length}", Crc32c.Base64(Payload(10)));
        using var noSession = await PutAsync(sim, new Uri(session.GetLeftPart(UriPartial.Path) + "?uploadType=resumable&upload_id=nope"), bytes, $"bytes 0-999/{bytes.Length}");
        using var wrongToken = await SendAsync(sim, HttpMethod.Get, $"storage/v1/b/{Bucket}/o/x.mp4", request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token"));

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Equal("required", (await TestSimulator.ReadJsonAsync(noName)).GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badBucket.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, shortChunk.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongLength.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        Assert.StartsWith("Provided CRC32C", (await TestSimulator.ReadJsonAsync(wrongHash)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noSession.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Empty(sim.Simulator.GetStorageObjectNames(Bucket));
        Assert.Equal(0, sim.Simulator.GetStats().StorageUploads);
    }

    [Fact]
    public async Task Should_take_multipart_and_media_uploads_and_rewrite_objects_without_the_bytes_leaving_the_simulator()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var bytes = Payload(5000);
        var multipart = new MultipartContent("related", "part-boundary")
        {
            new StringContent("{\"name\":\"multi.mp4\",\"contentType\":\"video/mp4\"}", Encoding.UTF8, "application/json"),
            new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("video/mp4") } },
        };

        // act
        using var multi = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=multipart", request => request.Content = multipart);
        using var media = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=media&name=plain.bin", request => request.Content = new ByteArrayContent(Payload(10)));
        var downloadsBefore = sim.Simulator.GetStats().Downloads;
        using var rewrite = await SendAsync(sim, HttpMethod.Post, $"storage/v1/b/{Bucket}/o/multi.mp4/rewriteTo/b/other-bucket/o/{Uri.EscapeDataString("copies/multi.mp4")}");
        using var missingSource = await SendAsync(sim, HttpMethod.Post, $"storage/v1/b/{Bucket}/o/nope.mp4/rewriteTo/b/other-bucket/o/x.mp4");
        using var copied = await SendAsync(sim, HttpMethod.Get, $"storage/v1/b/other-bucket/o/{Uri.EscapeDataString("copies/multi.mp4")}?alt=media");

        // assert
        Assert.Equal(HttpStatusCode.OK, multi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rewrite.StatusCode);
        var answer = await TestSimulator.ReadJsonAsync(rewrite);
        Assert.True(answer.GetProperty("done").GetBoolean());
        Assert.Equal("copies/multi.mp4", answer.GetProperty("resource").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missingSource.StatusCode);
        Assert.Equal(bytes, await copied.Content.ReadAsByteArrayAsync());
        var stats = sim.Simulator.GetStats();
        Assert.Equal(2, stats.StorageUploads);
        Assert.Equal(1, stats.StorageCopies);
        Assert.Equal(downloadsBefore + 1, stats.Downloads);   // only the test's own read
        Assert.Equal(["multi.mp4", "plain.bin"], sim.Simulator.GetStorageObjectNames(Bucket));
    }

    [Fact]
    public async Task Should_read_gzip_encoded_metadata_as_google_clients_send_it()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("{\"name\":\"zipped.mp4\"}"));
        }

        // act
        using var begin = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=resumable", request =>
        {
            request.Content = new ByteArrayContent(compressed.ToArray());
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content.Headers.ContentEncoding.Add("gzip");
        });
        using var put = await PutAsync(sim, begin.Headers.Location!, [1, 2, 3], "bytes 0-2/3");

        // assert
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(["zipped.mp4"], sim.Simulator.GetStorageObjectNames(Bucket));
    }

    private static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static async Task<Uri> BeginAsync(TestSimulator sim, string name, long length)
    {
        using var begin = await SendAsync(sim, HttpMethod.Post, $"upload/storage/v1/b/{Bucket}/o?uploadType=resumable", request =>
        {
            request.Content = new StringContent(JsonSerializer.Serialize(new { name }), Encoding.UTF8, "application/json");
            request.Headers.Add("X-Upload-Content-Type", "video/mp4");
            request.Headers.Add("X-Upload-Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        Assert.Equal(HttpStatusCode.OK, begin.StatusCode);
        return begin.Headers.Location!;
    }

    private static Task<HttpResponseMessage> PutAsync(TestSimulator sim, Uri session, byte[] chunk, string contentRange, string? crc32c = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent(chunk) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        if (crc32c is not null)
        {
            request.Headers.TryAddWithoutValidation("x-goog-hash", $"crc32c={crc32c}");
        }

        return sim.Http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> SendAsync(TestSimulator sim, HttpMethod method, string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "simulator-token");
        configure?.Invoke(request);
        return sim.Http.SendAsync(request);
    }
}
