using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using StbImageSharp;

namespace Sparsify.Core.Calibration;

/// <summary>A decoded image: 8-bit RGB rows, interleaved.</summary>
internal sealed record DecodedImage(byte[] Pixels, int Width, int Height);

/// <summary>
/// Reads calibration files, which are untrusted input: each must be a regular file (a FIFO would
/// block the build) within a size limit, and an image's header is checked against a pixel limit
/// before anything is decoded, so a hostile file is a <see cref="CalibrationDataException"/>, never a
/// hang, an out-of-memory failure or an exception from the decoder.
/// </summary>
internal static class ImageFiles
{
    /// <summary>The most pixels an image may have: 2^26 (8192×8192), 192 MiB decoded as RGB.</summary>
    public const int MaxPixels = 1 << 26;

    /// <summary>The largest crop or resize side a setting may ask for.</summary>
    public const int MaxSide = 8192;

    /// <summary>The largest image file: 256 MiB, more than any photo at <see cref="MaxPixels"/> needs.</summary>
    public const long MaxImageFileBytes = 256L << 20;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether <paramref name="path"/>'s extension is an image's (.jpg, .jpeg, .png).</summary>
    public static bool IsImage(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".jpg" or ".jpeg" or ".png";

    /// <summary>Whether <paramref name="path"/>'s extension is a raw float32 tensor's (.f32).</summary>
    public static bool IsTensor(string path) => Path.GetExtension(path).Equals(".f32", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A raw little-endian float32 tensor of exactly <paramref name="count"/> values; any other length
    /// is an error giving both counts.
    /// </summary>
    public static float[] ReadTensor(string path, int count, string setting)
    {
        var expected = (long)count * sizeof(float);
        var bytes = ReadFile(path, expected, setting, exact: true);
        var values = new float[count];
        var span = bytes.AsSpan();
        if (BitConverter.IsLittleEndian)
        {
            span.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]);
            }
        }

        return values;
    }

    /// <summary>Decodes a JPEG or PNG to 8-bit RGB; grayscale, oversized, corrupt and truncated images are errors.</summary>
    public static DecodedImage ReadImage(string path, string setting)
    {
        var bytes = ReadFile(path, MaxImageFileBytes, setting, exact: false);
        var isJpeg = bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
        var isPng = bytes.AsSpan().StartsWith(PngSignature);
        if (!isJpeg && !isPng)
        {
            throw new CalibrationDataException("not a JPEG or PNG image (its first bytes are neither signature)", path, setting);
        }

        // stb_image decodes a JPEG cut short without complaint (the missing rows come out gray), so
        // the end of image marker must follow the last start of scan.
        if (isJpeg && !HasEndAfterLastScan(bytes))
        {
            throw new CalibrationDataException("the JPEG is truncated: no end-of-image marker follows its image data", path, setting);
        }

        ImageInfo? header;
        try
        {
            using var stream = new BoundedStream(bytes);
            header = ImageInfo.FromStream(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CalibrationDataException($"cannot read the image header: {e.Message}", path, setting, e);
        }

        if (header is not { } info || info.Width <= 0 || info.Height <= 0)
        {
            throw new CalibrationDataException($"the {(isJpeg ? "JPEG" : "PNG")} header is corrupt or unsupported", path, setting);
        }

        var pixels = (long)info.Width * info.Height;
        if (pixels > MaxPixels)
        {
            throw new CalibrationDataException(
                $"the image is {Format(info.Width)}x{Format(info.Height)} ({pixels.ToString("N0", CultureInfo.InvariantCulture)} pixels), more than the limit of {MaxPixels.ToString("N0", CultureInfo.InvariantCulture)} (8192x8192); scale it down first",
                path, setting);
        }

        if (info.ColorComponents is ColorComponents.Grey or ColorComponents.GreyAlpha)
        {
            throw new CalibrationDataException("the image is grayscale, but the model input has 3 channels; convert it to RGB", path, setting);
        }

        ImageResult result;
        try
        {
            using var stream = new BoundedStream(bytes);
            result = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CalibrationDataException($"the image is corrupt: {e.Message}", path, setting, e);
        }

        if (result is null || result.Width != info.Width || result.Height != info.Height || result.Data is null || result.Data.Length != pixels * 3)
        {
            throw new CalibrationDataException("the image is corrupt: it decodes to a different size than its header gives", path, setting);
        }

        return new DecodedImage(result.Data, result.Width, result.Height);
    }

    /// <summary>
    /// The bytes of a regular file of at most <paramref name="limit"/> bytes (exactly that many when
    /// <paramref name="exact"/>); every failure becomes a <see cref="CalibrationDataException"/>.
    /// </summary>
    internal static byte[] ReadFile(string path, long limit, string setting, bool exact)
    {
        try
        {
            if (IO.RegularFile.NotRegular(path) is { } kind)
            {
                throw new CalibrationDataException($"the path is {kind}, not a regular file", path, setting);
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new CalibrationDataException("the file does not exist", path, setting);
            }

            CheckLength(path, info.Length, limit, setting, exact);
            var bytes = File.ReadAllBytes(path);

            // The file may have changed between the two looks.
            CheckLength(path, bytes.Length, limit, setting, exact);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            throw new CalibrationDataException($"cannot read the file: {e.Message}", path, setting, e);
        }
    }

    private static void CheckLength(string path, long length, long limit, string setting, bool exact)
    {
        if (exact && length != limit)
        {
            throw new CalibrationDataException(
                $"the raw float32 tensor has {Format(length)} bytes ({(length % 4 == 0 ? Format(length / 4) : "not a whole number of")} values), but the model input needs {Format(limit / 4)} values ({Format(limit)} bytes)",
                path, setting);
        }

        if (length > limit)
        {
            throw new CalibrationDataException($"the file has {ModelLimits.Bytes(length)}, more than the limit of {ModelLimits.Bytes(limit)}", path, setting);
        }

        if (length == 0)
        {
            throw new CalibrationDataException("the file is empty", path, setting);
        }
    }

    // Entropy-coded data stuffs every 0xFF byte (0xFF 0x00), so within it neither marker can occur.
    private static bool HasEndAfterLastScan(ReadOnlySpan<byte> bytes)
    {
        var scan = bytes.LastIndexOf([(byte)0xFF, (byte)0xDA]);
        return scan >= 0 && bytes[scan..].IndexOf([(byte)0xFF, (byte)0xD9]) >= 0;
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The file's bytes as the stream the decoder reads. StbImageSharp skips a segment by seeking
    /// and tells the end by Position == Length, so a segment length past the end (a hostile header)
    /// would leave it reading zeros forever from a <see cref="MemoryStream"/>; here a seek stops at
    /// the end, a backward skip goes to the end as stb_image's C skip does, and reading on at the
    /// end long after the data is done is an error, so decoding always ends.
    /// </summary>
    private sealed class BoundedStream(byte[] bytes) : Stream
    {
        // Far more end-of-data reads than a truncated scan of the largest image allowed takes.
        private const int MaxReadsPastEnd = 1 << 24;

        private long _position;
        private int _readsPastEnd;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => _position = Math.Clamp(value, 0, bytes.Length);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, bytes.Length - _position);
            if (n <= 0)
            {
                PastEnd();
                return 0;
            }

            bytes.AsSpan((int)_position, n).CopyTo(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }

        public override int ReadByte()
        {
            if (_position >= bytes.Length)
            {
                PastEnd();
                return -1;
            }

            return bytes[_position++];
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => offset < 0 ? bytes.Length : _position + offset,
                _ => bytes.Length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void PastEnd()
        {
            if (++_readsPastEnd > MaxReadsPastEnd)
            {
                throw new InvalidDataException("the decoder keeps reading past the end of the data");
            }
        }
    }
}
