using System.Net;
using System.Net.Http.Headers;
using Google;
using Google.Cloud.Storage.V1;

namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// A stored object read lazily, as a seekable stream of known length, so a web server can answer range requests from it:
/// each read that leaves the bytes at hand fetches the next window with one ranged request, pinned to the object's
/// generation (a concurrent overwrite cannot mix two versions). Windows grow while reads run on and start small again
/// after a seek, so a player probing the file's index pays for little, and a whole download for a few requests.
/// </summary>
internal sealed class CloudStorageReadStream(StorageClient client, string bucket, string name, long? generation, long length) : Stream
{
    private const int FirstWindow = 256 * 1024;
    private const int LargestWindow = 4 * 1024 * 1024;

    private byte[] _buffer = [];
    private long _bufferStart;
    private int _bufferLength;
    private long _position;
    private int _window = FirstWindow;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= length)
        {
            return 0;
        }

        if (_position < _bufferStart || _position >= _bufferStart + _bufferLength)
        {
            await FetchAsync(cancellationToken).ConfigureAwait(false);
        }

        var offset = (int)(_position - _bufferStart);
        var count = Math.Min(buffer.Length, _bufferLength - offset);
        _buffer.AsMemory(offset, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Reading means a request to Cloud Storage; blocking a thread on it is what this stream will not do.
    public override int Read(byte[] buffer, int offset, int count)
        => throw new NotSupportedException("A Cloud Storage video is read asynchronously (ReadAsync, CopyToAsync).");

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        var continues = _bufferLength > 0 && _position == _bufferStart + _bufferLength;
        _window = continues ? Math.Min(_window * 2, LargestWindow) : FirstWindow;
        var count = (int)Math.Min(_window, length - _position);
        if (_buffer.Length < count)
        {
            _buffer = new byte[Math.Min(LargestWindow, Math.Max(count, _buffer.Length * 2))];
        }

        using var destination = new MemoryStream(_buffer, 0, count, writable: true);
        var options = new DownloadObjectOptions
        {
            Range = new RangeHeaderValue(_position, _position + count - 1),
            Generation = generation,

            // Google's checksum covers the whole object, and a range is a part of it.
            DownloadValidationMode = DownloadValidationMode.Never,
        };
        try
        {
            await client.DownloadObjectAsync(bucket, name, destination, options, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
        {
            throw new IOException($"gs://{bucket}/{name} (generation {generation}) is gone: it was deleted or replaced while being read.", ex);
        }

        if (destination.Position != count)
        {
            throw new IOException($"gs://{bucket}/{name} answered {destination.Position} of the {count} bytes asked for at offset {_position}.");
        }

        _bufferStart = _position;
        _bufferLength = count;
    }
}
