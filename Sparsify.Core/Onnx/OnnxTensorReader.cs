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

    /// <summary>
    /// The bytes <paramref name="tensor"/>'s data takes as stored (elements × its data type's size),
    /// its dims checked and held to <see cref="ModelLimits.MaxTensorBytes"/>; nothing is read.
    /// </summary>
    public static long StoredBytes(TensorProto tensor)
    {
        // Zero dims are legal for a tensor no supported operator reads; reading it is refused later.
        var dims = ReadDims(tensor, allowZero: true);
        var (size, name) = StoredElement(tensor.DataType);
        return (long)Count(tensor, dims, size, name) * size;
    }

    public Tensor ReadFloat(TensorProto tensor)
    {
        var dims = ReadDims(tensor, allowZero: false);
        float[] data;
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Float:
                data = new float[Count(tensor, dims, sizeof(float), "FLOAT")];
                if (!TryReadStored(tensor, MemoryMarshal.AsBytes(data.AsSpan())))
                {
                    ExpectCount(tensor, tensor.FloatData.Count, data.Length, "float_data");
                    tensor.FloatData.CopyTo(data, 0);
                }

                break;
            case TensorProto.Types.DataType.Double:
                var doubles = new double[Count(tensor, dims, sizeof(double), "DOUBLE")];
                if (!TryReadStored(tensor, MemoryMarshal.AsBytes(doubles.AsSpan())))
                {
                    ExpectCount(tensor, tensor.DoubleData.Count, doubles.Length, "double_data");
                    tensor.DoubleData.CopyTo(doubles, 0);
                }

                data = Array.ConvertAll(doubles, d => (float)d);
                break;
            default:
                throw Fail(tensor, $"has data type {DataTypeName(tensor.DataType)}; weights must be float32");
        }

        // A scalar (rank 0) is kept as a one-element vector.
        return new Tensor(dims.Length == 0 ? new Shape(1) : new Shape(dims), data);
    }

    public long[] ReadInt64(TensorProto tensor)
    {
        var dims = ReadDims(tensor, allowZero: false);
        long[] data;
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                data = new long[Count(tensor, dims, sizeof(long), "INT64")];
                if (!TryReadStored(tensor, MemoryMarshal.AsBytes(data.AsSpan())))
                {
                    ExpectCount(tensor, tensor.Int64Data.Count, data.Length, "int64_data");
                    tensor.Int64Data.CopyTo(data, 0);
                }

                break;
            case TensorProto.Types.DataType.Int32:
                // Held in memory as int64, so that size is the one limited.
                var ints = new int[Count(tensor, dims, sizeof(long), "INT64")];
                if (!TryReadStored(tensor, MemoryMarshal.AsBytes(ints.AsSpan())))
                {
                    ExpectCount(tensor, tensor.Int32Data.Count, ints.Length, "int32_data");
                    tensor.Int32Data.CopyTo(ints, 0);
                }

                data = Array.ConvertAll(ints, i => (long)i);
                break;
            default:
                throw Fail(tensor, $"has data type {DataTypeName(tensor.DataType)}; an int64 tensor is expected");
        }

        return data;
    }

    /// <summary>
    /// Any tensor constant folding computes with, of any rank and possibly empty: floating point
    /// as doubles, integers and booleans as longs.
    /// </summary>
    public Folding.ConstantTensor ReadConstant(TensorProto tensor)
    {
        var dims = ReadDims(tensor, allowZero: true);
        var type = (TensorProto.Types.DataType)tensor.DataType;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
            case TensorProto.Types.DataType.Double:
                var reals = type == TensorProto.Types.DataType.Float
                    ? Array.ConvertAll(ReadStored<float>(tensor, dims, "FLOAT", t => t.FloatData, "float_data"), v => (double)v)
                    : ReadStored<double>(tensor, dims, "DOUBLE", t => t.DoubleData, "double_data");
                return Folding.ConstantTensor.Real(dims, type, reals);
            case TensorProto.Types.DataType.Int64:
                return Folding.ConstantTensor.Integer(dims, type, ReadStored<long>(tensor, dims, "INT64", t => t.Int64Data, "int64_data"));
            case TensorProto.Types.DataType.Int32:
                return Folding.ConstantTensor.Integer(dims, type, Array.ConvertAll(ReadStored<int>(tensor, dims, "INT32", t => t.Int32Data, "int32_data"), v => (long)v));
            case TensorProto.Types.DataType.Int16:
                return Folding.ConstantTensor.Integer(dims, type, Array.ConvertAll(ReadStored<short>(tensor, dims, "INT16", t => t.Int32Data.Select(v => (short)v), "int32_data"), v => (long)v));
            case TensorProto.Types.DataType.Int8:
                return Folding.ConstantTensor.Integer(dims, type, Array.ConvertAll(ReadStored<sbyte>(tensor, dims, "INT8", t => t.Int32Data.Select(v => (sbyte)v), "int32_data"), v => (long)v));
            case TensorProto.Types.DataType.Uint8:
            case TensorProto.Types.DataType.Bool:
                var bytes = ReadStored<byte>(tensor, dims, DataTypeName(tensor.DataType), t => t.Int32Data.Select(v => (byte)v), "int32_data");
                return Folding.ConstantTensor.Integer(dims, type, Array.ConvertAll(bytes, v => type == TensorProto.Types.DataType.Bool ? (v != 0 ? 1L : 0L) : v));
            default:
                throw Fail(tensor, $"has data type {DataTypeName(tensor.DataType)}, which constant folding does not compute with");
        }
    }

    // The values from external data or raw_data when present, otherwise from the typed field.
    private T[] ReadStored<T>(TensorProto tensor, int[] dims, string elementType, Func<TensorProto, IEnumerable<T>> typed, string field)
        where T : unmanaged
    {
        var values = new T[Count(tensor, dims, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), elementType)];
        if (!TryReadStored(tensor, MemoryMarshal.AsBytes(values.AsSpan())))
        {
            var given = typed(tensor).ToArray();
            ExpectCount(tensor, given.Length, values.Length, field);
            given.CopyTo(values, 0);
        }

        return values;
    }

    private static int[] ReadDims(TensorProto tensor, bool allowZero)
    {
        var dims = new int[tensor.Dims.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = tensor.Dims[i];
            if (d < 0 || (d == 0 && !allowZero) || d > int.MaxValue)
            {
                throw Fail(tensor, $"has invalid dimension {d} in dims [{string.Join(",", tensor.Dims)}]");
            }

            dims[i] = (int)d;
        }

        return dims;
    }

    // The element count of dims, held to the tensor limit at elementBytes each before anything is allocated.
    private static int Count(TensorProto tensor, int[] dims, int elementBytes, string elementType)
    {
        var count = SizeMath.Product(dims);
        if (ModelLimits.TensorSizeProblem(count, elementBytes, elementType) is { } problem)
        {
            throw Fail(tensor, $"with dims [{string.Join(",", tensor.Dims)}] {problem}");
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

    // Fills destination from external data or raw_data; false when the typed field holds the values.
    private bool TryReadStored(TensorProto tensor, Span<byte> destination)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            ReadExternal(tensor, destination);
            return true;
        }

        if (!tensor.HasRawData)
        {
            return false;
        }

        if (tensor.RawData.Length != destination.Length)
        {
            throw Fail(tensor, $"has {tensor.RawData.Length} bytes of raw_data but its dims [{string.Join(",", tensor.Dims)}] need {destination.Length}");
        }

        tensor.RawData.Span.CopyTo(destination);
        return true;
    }

    private void ReadExternal(TensorProto tensor, Span<byte> destination)
    {
        var repeated = tensor.ExternalData.GroupBy(e => e.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw Fail(tensor, $"gives its external data's '{repeated.Key}' {repeated.Count()} times");
        }

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
        var expected = destination.Length;
        if (length >= 0 && length != expected)
        {
            throw Fail(tensor, $"external data length {length} disagrees with its dims [{string.Join(",", tensor.Dims)}], which need {expected} bytes");
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (offset > file.Length || expected > file.Length - offset)
            {
                throw Fail(tensor, $"external data '{location}' has {file.Length} bytes, too few for {expected} bytes at offset {offset}");
            }

            file.Position = offset;
            file.ReadExactly(destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SparsifyModelException($"tensor '{tensor.Name}': cannot read external data '{location}': {e.Message}", innerException: e);
        }
    }

    private string ResolveInsideModelDirectory(TensorProto tensor, string location)
    {
        var root = WithSeparator(_modelDirectory!);
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

        // A link anywhere below the folder may point outside it, so the resolved path must stay
        // inside too; the folder itself may be reached through a link, so either spelling of it will do.
        var resolved = IO.RegularFile.Resolve(full);
        if (!resolved.StartsWith(root, StringComparison.Ordinal) && !resolved.StartsWith(WithSeparator(IO.RegularFile.Resolve(_modelDirectory!)), StringComparison.Ordinal))
        {
            throw Fail(tensor, refused);
        }

        // Opening a FIFO blocks until something writes to it; a device or a directory holds no weights.
        if (IO.RegularFile.NotRegular(resolved) is { } kind)
        {
            throw Fail(tensor, $"has external data '{location}', which is {kind}, not a regular file; refused");
        }

        return resolved;
    }

    private static string WithSeparator(string directory) =>
        directory.EndsWith(Path.DirectorySeparatorChar) ? directory : directory + Path.DirectorySeparatorChar;

    // Stored size and name of an element of each ONNX data type (1 byte where that is not fixed).
    private static (int Bytes, string Name) StoredElement(int dataType)
    {
        var bytes = (TensorProto.Types.DataType)dataType switch
        {
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Complex64 => 8,
            TensorProto.Types.DataType.Complex128 => 16,
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
            _ => 1,
        };
        return (bytes, DataTypeName(dataType));
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
