using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Veo.Sdk.Testing.Internal;

/// <summary>One of the embedded MP4s, with what serving it needs precomputed once.</summary>
internal sealed class SampleVideo
{
    public SampleVideo(string resourceName, string aspectRatio)
    {
        using var stream = typeof(SampleVideo).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The embedded video '{resourceName}' is missing from {typeof(SampleVideo).Assembly.GetName().Name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        Bytes = bytes;
        AspectRatio = aspectRatio;
        var hash = SHA256.HashData(bytes);
        Sha256Base64 = Convert.ToBase64String(hash);
        ETag = new EntityTagHeaderValue('"' + Convert.ToHexStringLower(hash.AsSpan(0, 8)) + '"');
        Base64JsonString = Encoding.ASCII.GetBytes('"' + Convert.ToBase64String(bytes) + '"');
    }

    public byte[] Bytes { get; }

    public string AspectRatio { get; }

    public string Sha256Base64 { get; }

    public EntityTagHeaderValue ETag { get; }

    /// <summary>The bytes as a JSON string literal (quotes included), for Vertex's inline <c>bytesBase64Encoded</c>.</summary>
    public byte[] Base64JsonString { get; }
}

/// <summary>The embedded videos: 640x360 for 16:9 and 360x640 for 9:16 (see Media/README.md).</summary>
internal static class SampleVideos
{
    private static readonly Lazy<SampleVideo> LandscapeVideo = new(() => new SampleVideo("Veo.Sdk.Testing.Media.landscape-16x9.mp4", "16:9"));
    private static readonly Lazy<SampleVideo> PortraitVideo = new(() => new SampleVideo("Veo.Sdk.Testing.Media.portrait-9x16.mp4", "9:16"));

    public static SampleVideo Landscape => LandscapeVideo.Value;

    public static SampleVideo Portrait => PortraitVideo.Value;

    public static SampleVideo For(string aspectRatio) => aspectRatio == "9:16" ? Portrait : Landscape;
}
