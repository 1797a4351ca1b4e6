using System.Buffers;
using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Veo.Sdk.Internal;

/// <summary>
/// A video whose bytes came inline in a poll answer, decoded into a temporary file that only this object can reach: it is
/// removed from the directory at once on Unix, and deleted on close everywhere, so nothing is left behind when the
/// result is collected or the process dies.
/// </summary>
internal sealed class SpooledVideo : IDisposable
{
    private readonly SafeFileHandle _handle;

    private SpooledVideo(SafeFileHandle handle)
    {
        _handle = handle;
    }

    /// <summary>The decoded length in bytes.</summary>
    public long Length { get; private set; }

    public static SpooledVideo Create()
    {
        var path = Path.Combine(Path.GetTempPath(), $"veo-inline-{Guid.NewGuid():N}.mp4.part");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // DeleteOnClose still removes it when the handle closes.
            }
        }

        return new SpooledVideo(handle);
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(_handle, bytes, Length);
        Length += bytes.Length;
    }

    /// <summary>Copies the whole video to <paramref name="destination"/> through one pooled buffer; safe to call concurrently.</summary>
    public async Task<long> CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long offset = 0;
            while (offset < Length)
            {
                var read = await RandomAccess.ReadAsync(_handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, Length - offset)), offset, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"The temporary copy of an inline video ended after {offset} of {Length} bytes.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                offset += read;
            }

            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>
/// Reads an operation answer from a stream and diverts the base64 of every inline video (<c>bytesBase64Encoded</c> on
/// Vertex AI, <c>encodedVideo</c> on the Gemini API) into a <see cref="SpooledVideo"/> as it arrives, leaving a small
/// JSON document where each such value is replaced by a placeholder. Four 1080p videos in one answer are tens of MB of
/// base64; this way memory holds a buffer, not the answer.
/// </summary>
/// <remarks>
/// A byte-level scan is enough here because only the value after a key is ever diverted: a JSON string followed by ':'
/// is always a key, so no string value can be mistaken for one, whatever it contains.
/// </remarks>
internal sealed class InlineVideoExtractor
{
    /// <summary>What a diverted value becomes in the residual JSON: the prefix and the spool's index.</summary>
    public const string PlaceholderPrefix = "veo-inline:";

    private const int ReadBufferSize = 64 * 1024;
    private const int MaxKeyLength = 32;

    private static readonly byte[][] DivertedKeys = ["bytesBase64Encoded"u8.ToArray(), "encodedVideo"u8.ToArray()];

    private readonly List<SpooledVideo> _spools = [];
    private readonly ArrayBufferWriter<byte> _residual = new(4096);
    private readonly byte[] _key = new byte[MaxKeyLength];
    private readonly byte[] _base64 = new byte[ReadBufferSize + 4];
    private readonly byte[] _decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(ReadBufferSize + 4)];

    private Mode _mode;
    private int _keyLength;
    private bool _keyOverflow;
    private bool _escaped;
    private bool _lastStringIsDivertedKey;
    private int _base64Length;
    private int _unicodeDigits;
    private int _unicodeValue;

    private enum Mode
    {
        Structure,
        InString,
        AfterString,
        AwaitingValue,
        InDivertedValue,
    }

    /// <summary>The residual JSON, with placeholders where videos were.</summary>
    public ReadOnlyMemory<byte> Residual => _residual.WrittenMemory;

    /// <summary>The decoded videos, by placeholder index; the caller owns them.</summary>
    public IReadOnlyList<SpooledVideo> Spools => _spools;

    /// <summary>Reads <paramref name="body"/> to its end.</summary>
    /// <exception cref="FormatException">A diverted value is not valid base64.</exception>
    public async Task ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                Process(buffer.AsSpan(0, read));
            }

            if (_mode == Mode.InDivertedValue)
            {
                throw new FormatException("The answer ended inside an inline video.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Disposes every spool (when the answer could not be used).</summary>
    public void DisposeSpools()
    {
        foreach (var spool in _spools)
        {
            spool.Dispose();
        }

        _spools.Clear();
    }

    private void Process(ReadOnlySpan<byte> chunk)
    {
        var copyFrom = 0;
        for (var i = 0; i < chunk.Length; i++)
        {
            var b = chunk[i];
            switch (_mode)
            {
                case Mode.Structure:
                    if (b == (byte)'"')
                    {
                        BeginString();
                    }

                    break;

                case Mode.InString:
                    if (_escaped)
                    {
                        _escaped = false;
                        _keyOverflow = true;   // a key with an escape is none of ours
                    }
                    else if (b == (byte)'\\')
                    {
                        _escaped = true;
                    }
                    else if (b == (byte)'"')
                    {
                        _lastStringIsDivertedKey = !_keyOverflow && IsDivertedKey(_key.AsSpan(0, _keyLength));
                        _mode = Mode.AfterString;
                    }
                    else if (_keyLength < MaxKeyLength)
                    {
                        _key[_keyLength++] = b;
                    }
                    else
                    {
                        _keyOverflow = true;
                    }

                    break;

                case Mode.AfterString:
                    if (IsWhitespace(b))
                    {
                        break;
                    }

                    _mode = b == (byte)':' && _lastStringIsDivertedKey ? Mode.AwaitingValue : Mode.Structure;
                    if (_mode == Mode.Structure && b == (byte)'"')
                    {
                        BeginString();
                    }

                    break;

                case Mode.AwaitingValue:
                    if (IsWhitespace(b))
                    {
                        break;
                    }

                    if (b != (byte)'"')
                    {
                        _mode = Mode.Structure;   // null or another type: left as it is
                        break;
                    }

                    // Copy up to and including the opening quote, then the placeholder instead of the value.
                    _residual.Write(chunk[copyFrom..(i + 1)]);
                    _residual.Write(System.Text.Encoding.ASCII.GetBytes(PlaceholderPrefix + _spools.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    _spools.Add(SpooledVideo.Create());
                    _base64Length = 0;
                    _escaped = false;
                    _unicodeDigits = -1;
                    _mode = Mode.InDivertedValue;
                    copyFrom = i + 1;
                    break;

                case Mode.InDivertedValue:
                    if (!_escaped && _unicodeDigits < 0)
                    {
                        // The common case, a long run of plain base64: take it whole up to the next quote or escape.
                        var run = chunk[i..];
                        var end = run.IndexOfAny((byte)'"', (byte)'\\');
                        run = end < 0 ? run : run[..end];
                        if (run.Length > 1 && !run.ContainsAny(Whitespace))
                        {
                            AddBase64Run(run);
                            i += run.Length - 1;
                            copyFrom = i + 1;
                            break;
                        }
                    }

                    if (AddBase64Byte(b))
                    {
                        // The closing quote: flush the value and resume copying from the quote.
                        FlushBase64(final: true);
                        _mode = Mode.Structure;
                        copyFrom = i;
                    }
                    else
                    {
                        copyFrom = i + 1;
                    }

                    break;
            }
        }

        if (_mode != Mode.InDivertedValue && copyFrom < chunk.Length)
        {
            _residual.Write(chunk[copyFrom..]);
        }
    }

    private static readonly System.Buffers.SearchValues<byte> Whitespace = System.Buffers.SearchValues.Create(" \t\r\n"u8);

    /// <summary>Takes a run of base64 without quotes, escapes or whitespace.</summary>
    private void AddBase64Run(ReadOnlySpan<byte> run)
    {
        while (run.Length > 0)
        {
            var take = Math.Min(run.Length, ReadBufferSize - _base64Length);
            var target = _base64.AsSpan(_base64Length, take);
            run[..take].CopyTo(target);
            target.Replace((byte)'-', (byte)'+');   // the URL-safe alphabet, which protobuf's JSON parsers also accept
            target.Replace((byte)'_', (byte)'/');
            _base64Length += take;
            run = run[take..];
            if (_base64Length == ReadBufferSize)
            {
                FlushBase64(final: false);
            }
        }
    }

    private void BeginString()
    {
        _mode = Mode.InString;
        _keyLength = 0;
        _keyOverflow = false;
        _escaped = false;
    }

    /// <summary>Takes one byte of a diverted value; returns true at the closing quote.</summary>
    private bool AddBase64Byte(byte b)
    {
        if (_unicodeDigits >= 0)
        {
            _unicodeValue = (_unicodeValue << 4) | HexValue(b);
            if (++_unicodeDigits < 4)
            {
                return false;
            }

            _unicodeDigits = -1;
            if (_unicodeValue > 0x7F)
            {
                throw new FormatException("An inline video holds a character that is not base64.");
            }

            b = (byte)_unicodeValue;
        }
        else if (_escaped)
        {
            _escaped = false;
            switch (b)
            {
                case (byte)'u':
                    _unicodeDigits = 0;
                    _unicodeValue = 0;
                    return false;
                case (byte)'n' or (byte)'r' or (byte)'t':
                    return false;   // line breaks some encoders put into long base64
                case (byte)'/':
                    break;
                default:
                    throw new FormatException("An inline video holds an escape that is not base64.");
            }
        }
        else if (b == (byte)'\\')
        {
            _escaped = true;
            return false;
        }
        else if (b == (byte)'"')
        {
            return true;
        }

        switch (b)
        {
            case (byte)'-':
                b = (byte)'+';   // the URL-safe alphabet, which protobuf's JSON parsers also accept
                break;
            case (byte)'_':
                b = (byte)'/';
                break;
            case (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t':
                return false;
        }

        _base64[_base64Length++] = b;
        if (_base64Length == ReadBufferSize)
        {
            FlushBase64(final: false);
        }

        return false;
    }

    private void FlushBase64(bool final)
    {
        if (final)
        {
            // Padding is optional in protobuf JSON; the decoder wants it.
            switch (_base64Length % 4)
            {
                case 2:
                    _base64[_base64Length++] = (byte)'=';
                    _base64[_base64Length++] = (byte)'=';
                    break;
                case 3:
                    _base64[_base64Length++] = (byte)'=';
                    break;
                case 1:
                    throw new FormatException("An inline video's base64 has a stray character at its end.");
            }
        }

        var status = Base64.DecodeFromUtf8(_base64.AsSpan(0, _base64Length), _decoded, out var consumed, out var written, isFinalBlock: final);
        if (status == OperationStatus.InvalidData || (final && status != OperationStatus.Done))
        {
            throw new FormatException("An inline video is not valid base64.");
        }

        _spools[^1].Append(_decoded.AsSpan(0, written));
        var rest = _base64Length - consumed;
        _base64.AsSpan(consumed, rest).CopyTo(_base64);
        _base64Length = rest;
    }

    private static bool IsDivertedKey(ReadOnlySpan<byte> key)
    {
        foreach (var candidate in DivertedKeys)
        {
            if (key.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => throw new FormatException("An inline video holds a malformed \\u escape."),
    };
}
