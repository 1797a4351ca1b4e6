using System.Buffers.Binary;
using System.Text;

namespace Veo.Sdk.Testing.Tests;

/// <summary>Just enough ISO BMFF parsing to tell a real MP4 from bytes that merely claim to be one.</summary>
public static class Mp4
{
    /// <summary>The first box is <c>ftyp</c>, with a sane size and a known major brand.</summary>
    public static void AssertStartsWithFtyp(ReadOnlySpan<byte> bytes)
    {
        Assert.True(bytes.Length > 16, "too short for an MP4");
        var size = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        Assert.Equal("ftyp", Encoding.ASCII.GetString(bytes.Slice(4, 4)));
        Assert.InRange(size, 16u, 256u);
        Assert.Contains(Encoding.ASCII.GetString(bytes.Slice(8, 4)), new[] { "isom", "mp42", "mp41", "avc1" });
    }

    /// <summary>The width and height of the video track, from <c>moov/trak/tkhd</c>.</summary>
    public static (int Width, int Height) VideoSize(ReadOnlySpan<byte> bytes)
    {
        var moov = FindBox(bytes, "moov");
        var rest = moov;
        while (rest.Length > 8)
        {
            var trak = FindBox(rest, "trak");
            var tkhd = FindBox(trak, "tkhd");
            var version = tkhd[0];
            var offset = version == 1 ? 4 + 8 + 8 + 4 + 4 + 8 : 4 + 4 + 4 + 4 + 4 + 4;
            offset += 8 + 2 + 2 + 2 + 2 + 36;
            var width = (int)(BinaryPrimitives.ReadUInt32BigEndian(tkhd[offset..]) >> 16);
            var height = (int)(BinaryPrimitives.ReadUInt32BigEndian(tkhd[(offset + 4)..]) >> 16);
            if (width > 0)
            {
                return (width, height);
            }

            rest = rest[(IndexAfter(rest, "trak") + trak.Length)..];
        }

        throw new InvalidOperationException("no video track");
    }

    private static ReadOnlySpan<byte> FindBox(ReadOnlySpan<byte> bytes, string type)
    {
        var start = IndexAfter(bytes, type);
        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[(start - 8)..]);
        return bytes.Slice(start, size - 8);
    }

    /// <summary>The offset of the first top-level box of this type's payload.</summary>
    private static int IndexAfter(ReadOnlySpan<byte> bytes, string type)
    {
        var offset = 0;
        while (offset + 8 <= bytes.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]);
            if (Encoding.ASCII.GetString(bytes.Slice(offset + 4, 4)) == type)
            {
                return offset + 8;
            }

            if (size < 8)
            {
                break;
            }

            offset += size;
        }

        throw new InvalidOperationException($"no '{type}' box");
    }
}
