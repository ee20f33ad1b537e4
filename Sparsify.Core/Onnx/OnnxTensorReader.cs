using System.Runtime.InteropServices;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

/// <summary>
/// Decodes ONNX tensors (raw_data, typed fields or external data) with every length, type and path
/// checked: a malformed tensor is an error, never an out-of-range read or a file outside the model.
/// </summary>
internal sealed class OnnxTensorReader(string? modelPath)
{
    private readonly string? _modelDirectory = modelPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(modelPath));

    public Tensor ReadFloat(TensorProto tensor)
    {
        var dims = ReadDims(tensor);
        var count = ElementCount(tensor, dims);
        var data = new float[count];
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Float:
                if (TryReadBytes(tensor, count, sizeof(float), out var bytes))
                {
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(data);
                }
                else
                {
                    ExpectCount(tensor, tensor.FloatData.Count, count, "float_data");
                    tensor.FloatData.CopyTo(data, 0);
                }

                break;
            case TensorProto.Types.DataType.Double:
                if (TryReadBytes(tensor, count, sizeof(double), out var doubles))
                {
                    var source = MemoryMarshal.Cast<byte, double>(doubles);
                    for (var i = 0; i < count; i++)
                    {
                        data[i] = (float)source[i];
                    }
                }
                else
                {
                    ExpectCount(tensor, tensor.DoubleData.Count, count, "double_data");
                    for (var i = 0; i < count; i++)
                    {
                        data[i] = (float)tensor.DoubleData[i];
                    }
                }

                break;
            default:
                throw Fail(tensor, $"has data type {DataTypeName(tensor.DataType)}; weights must be float32");
        }

        // A scalar (rank 0) is kept as a one-element vector.
        return new Tensor(dims.Length == 0 ? new Shape(1) : new Shape(dims), data);
    }

    public long[] ReadInt64(TensorProto tensor)
    {
        var dims = ReadDims(tensor);
        var count = ElementCount(tensor, dims);
        var data = new long[count];
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                if (TryReadBytes(tensor, count, sizeof(long), out var bytes))
                {
                    MemoryMarshal.Cast<byte, long>(bytes).CopyTo(data);
                }
                else
                {
                    ExpectCount(tensor, tensor.Int64Data.Count, count, "int64_data");
                    tensor.Int64Data.CopyTo(data, 0);
                }

                break;
            case TensorProto.Types.DataType.Int32:
                if (TryReadBytes(tensor, count, sizeof(int), out var ints))
                {
                    var source = MemoryMarshal.Cast<byte, int>(ints);
                    for (var i = 0; i < count; i++)
                    {
                        data[i] = source[i];
                    }
                }
                else
                {
                    ExpectCount(tensor, tensor.Int32Data.Count, count, "int32_data");
                    for (var i = 0; i < count; i++)
                    {
                        data[i] = tensor.Int32Data[i];
                    }
                }

                break;
            default:
                throw Fail(tensor, $"has data type {DataTypeName(tensor.DataType)}; an int64 tensor is expected");
        }

        return data;
    }

    private static int[] ReadDims(TensorProto tensor)
    {
        var dims = new int[tensor.Dims.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = tensor.Dims[i];
            if (d <= 0 || d > Array.MaxLength)
            {
                throw Fail(tensor, $"has invalid dimension {d} in dims [{string.Join(",", tensor.Dims)}]");
            }

            dims[i] = (int)d;
        }

        return dims;
    }

    private static int ElementCount(TensorProto tensor, int[] dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
            if (count > Array.MaxLength)
            {
                throw Fail(tensor, $"dims [{string.Join(",", tensor.Dims)}] hold more than {Array.MaxLength} elements (the product overflows)");
            }
        }

        return (int)count;
    }

    private static void ExpectCount(TensorProto tensor, int actual, int expected, string field)
    {
        if (actual != expected)
        {
            throw Fail(tensor, $"has {actual} values in {field} but its dims [{string.Join(",", tensor.Dims)}] need {expected}");
        }
    }

    private bool TryReadBytes(TensorProto tensor, int count, int elementSize, out ReadOnlySpan<byte> bytes)
    {
        var expected = (long)count * elementSize;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            bytes = ReadExternal(tensor, expected);
            return true;
        }

        if (!tensor.HasRawData)
        {
            bytes = default;
            return false;
        }

        if (tensor.RawData.Length != expected)
        {
            throw Fail(tensor, $"has {tensor.RawData.Length} bytes of raw_data but its dims [{string.Join(",", tensor.Dims)}] need {expected}");
        }

        bytes = tensor.RawData.Span;
        return true;
    }

    private byte[] ReadExternal(TensorProto tensor, long expected)
    {
        var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("location", out var location) || string.IsNullOrEmpty(location))
        {
            throw Fail(tensor, "has external data without a location");
        }

        if (_modelDirectory is null)
        {
            throw Fail(tensor, "has external data, which needs the model to be read from a file");
        }

        var path = ResolveInsideModelDirectory(tensor, location);
        var offset = ParseLong(tensor, entries, "offset", 0);
        var length = ParseLong(tensor, entries, "length", -1);
        if (length >= 0 && length != expected)
        {
            throw Fail(tensor, $"external data length {length} disagrees with its dims [{string.Join(",", tensor.Dims)}], which need {expected} bytes");
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (offset + expected > file.Length)
            {
                throw Fail(tensor, $"external data '{location}' has {file.Length} bytes, too few for {expected} bytes at offset {offset}");
            }

            var buffer = new byte[expected];
            file.Position = offset;
            file.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SparsifyModelException($"tensor '{tensor.Name}': cannot read external data '{location}': {e.Message}", innerException: e);
        }
    }

    private string ResolveInsideModelDirectory(TensorProto tensor, string location)
    {
        var root = _modelDirectory!.EndsWith(Path.DirectorySeparatorChar) ? _modelDirectory : _modelDirectory + Path.DirectorySeparatorChar;
        var refused = $"external data location '{location}' leaves the model's folder; refused";
        if (Path.IsPathRooted(location) || location.Contains('\0', StringComparison.Ordinal))
        {
            throw Fail(tensor, refused);
        }

        var full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            throw Fail(tensor, refused);
        }

        // A link inside the folder may still point outside it.
        var target = File.Exists(full) ? File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName : null;
        if (target is not null && !Path.GetFullPath(target).StartsWith(root, StringComparison.Ordinal))
        {
            throw Fail(tensor, refused);
        }

        return full;
    }

    private static long ParseLong(TensorProto tensor, Dictionary<string, string> entries, string key, long fallback)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fail(tensor, $"has external data {key} '{text}' that is not a non-negative integer");
    }

    private static SparsifyModelException Fail(TensorProto tensor, string problem) => new($"tensor '{tensor.Name}' {problem}");

    private static string DataTypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant() : dataType.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
