namespace Veo.Sdk.Testing.Internal;

/// <summary>CRC-32C (Castagnoli), the checksum Cloud Storage keeps per object and checks uploads against.</summary>
internal static class Crc32c
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The checksum as Cloud Storage writes it: the four bytes big-endian, in base64.</summary>
    public static string Base64(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        crc ^= 0xFFFFFFFFu;
        Span<byte> bytes = [(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
        return Convert.ToBase64String(bytes);
    }

    private static uint[] BuildTable()
    {
        // the reflected Castagnoli polynomial
        const uint polynomial = 0x82F63B78u;
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ polynomial : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}

/// <summary>MD5 as Cloud Storage uses it: an object's <c>md5Hash</c> and the <c>x-goog-hash: md5=</c> of uploads, in base64.</summary>
internal static class ObjectMd5
{
#pragma warning disable CA5351 // part of Cloud Storage's wire format (an integrity checksum), not a security measure
    public static string Base64(ReadOnlySpan<byte> data) => Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(data));

    public static byte[] Hash(ReadOnlySpan<byte> data) => System.Security.Cryptography.MD5.HashData(data);
#pragma warning restore CA5351
}
