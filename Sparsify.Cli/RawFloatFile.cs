using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Sparsify.Core.IO;

namespace Sparsify.Cli;

/// <summary>Raw little-endian float32 files: no header, values back to back.</summary>
internal static class RawFloatFile
{
    /// <summary>
    /// Reads exactly <paramref name="expectedCount"/> values from <paramref name="path"/>; any other
    /// length is a <see cref="CliException"/> naming the expected count and <paramref name="expectedWhat"/>.
    /// </summary>
    public static float[] Read(string path, int expectedCount, string expectedWhat)
    {
        if (!File.Exists(path))
        {
            throw new CliException(Directory.Exists(path) ? $"{path}: is a directory, not an input file" : $"{path}: input file not found");
        }

        var length = new FileInfo(path).Length;
        var expected = $"{path}: expected {expectedCount.ToString("N0", CultureInfo.InvariantCulture)} float32 values ({expectedWhat})";
        if (length % sizeof(float) != 0)
        {
            throw new CliException($"{expected}, got {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, which is not a whole number of float32 values");
        }

        if (length / sizeof(float) != expectedCount)
        {
            throw new CliException($"{expected}, got {(length / sizeof(float)).ToString("N0", CultureInfo.InvariantCulture)}");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != length)
        {
            throw new CliException($"{path}: the file changed while it was read");
        }

        var values = new float[expectedCount];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
            }
        }

        return values;
    }

    /// <summary>
    /// Writes <paramref name="chunks"/> back to back to <paramref name="path"/> atomically: a temporary
    /// file beside it, renamed over it once complete, so a failure never leaves a partial file.
    /// </summary>
    public static long WriteAtomically(string path, IEnumerable<float[]> chunks)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliException($"{path}: is a directory, not an output file");
        }

        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new CliException($"{path}: the output directory does not exist");
        }

        long written = 0;
        AtomicFile.Write(full, stream =>
        {
            Span<byte> value = stackalloc byte[sizeof(float)];
            foreach (var chunk in chunks)
            {
                if (BitConverter.IsLittleEndian)
                {
                    stream.Write(MemoryMarshal.AsBytes(chunk.AsSpan()));
                }
                else
                {
                    foreach (var f in chunk)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(value, f);
                        stream.Write(value);
                    }
                }

                written += (long)chunk.Length * sizeof(float);
            }
        });
        return written;
    }
}
