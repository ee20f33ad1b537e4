using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Onnx.Folding;

/// <summary>
/// A constant of any rank (a scalar has rank 0) and any of the element types constant folding
/// computes with: floating-point values are held as doubles, integers and booleans as longs, so
/// that an int64 such as torch's "to the end" slice bound (-2^63 + 1) keeps its exact value.
/// </summary>
internal sealed class ConstantTensor
{
    private ConstantTensor(int[] dims, DataType type, double[]? reals, long[]? integers)
    {
        Dims = dims;
        Type = type;
        Reals = reals;
        Integers = integers;
    }

    public int[] Dims { get; }

    public DataType Type { get; }

    /// <summary>The values of a floating-point constant; null for integers and booleans.</summary>
    public double[]? Reals { get; }

    /// <summary>The values of an integer or boolean constant; null for floating point.</summary>
    public long[]? Integers { get; }

    public int Rank => Dims.Length;

    public int Count => Reals?.Length ?? Integers!.Length;

    public bool IsReal => Reals is not null;

    public static ConstantTensor Real(int[] dims, DataType type, double[] values) => new(dims, Check(type, real: true), Sized(dims, values), null);

    public static ConstantTensor Integer(int[] dims, DataType type, long[] values) => new(dims, Check(type, real: false), null, Sized(dims, values));

    public static ConstantTensor Int64Vector(ReadOnlySpan<long> values) => Integer([values.Length], DataType.Int64, values.ToArray());

    /// <summary>The same values with other dims of the same element count.</summary>
    public ConstantTensor WithDims(int[] dims) => new(dims, Type, Sized(dims, Reals), Sized(dims, Integers));

    /// <summary>A new constant of this one's type and the given dims, each value taken from the index <paramref name="source"/> gives.</summary>
    public ConstantTensor Gather(int[] dims, Func<int, int> source)
    {
        var count = ElementCount(dims);
        if (Reals is { } reals)
        {
            var values = new double[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = reals[source(i)];
            }

            return new ConstantTensor(dims, Type, values, null);
        }

        var integers = new long[count];
        for (var i = 0; i < count; i++)
        {
            integers[i] = Integers![source(i)];
        }

        return new ConstantTensor(dims, Type, null, integers);
    }

    /// <summary>Value <paramref name="index"/> as a double, whatever the element type.</summary>
    public double RealAt(int index) => Reals?[index] ?? Integers![index];

    /// <summary>The values as integers: an integer constant's values, or a floating-point constant's that are whole.</summary>
    public long[] ToIntegers(string role)
    {
        if (Integers is { } integers)
        {
            return integers;
        }

        return Reals!.Select(v => v == Math.Floor(v) && Math.Abs(v) < 9.2e18
            ? (long)v
            : throw new SparsifyModelException($"{role} holds {v.ToString(CultureInfo.InvariantCulture)}, which is not an integer")).ToArray();
    }

    /// <summary>The one value of a scalar or one-element tensor.</summary>
    public double Scalar(string role) => Count == 1
        ? RealAt(0)
        : throw new SparsifyModelException($"{role} must hold one value, but has shape {Shape.Format(Dims)}");

    public TensorProto ToProto(string name)
    {
        var proto = new TensorProto { Name = name, DataType = (int)Type };
        proto.Dims.AddRange(Dims.Select(d => (long)d));
        switch (Type)
        {
            case DataType.Float:
                proto.FloatData.AddRange(Reals!.Select(v => (float)v));
                break;
            case DataType.Double:
                proto.DoubleData.AddRange(Reals!);
                break;
            case DataType.Int64:
                proto.Int64Data.AddRange(Integers!);
                break;
            default:
                // INT32, INT16, INT8, UINT8 and BOOL are all stored in int32_data.
                proto.Int32Data.AddRange(Integers!.Select(v => (int)v));
                break;
        }

        return proto;
    }

    public static bool IsRealType(DataType type) => type is DataType.Float or DataType.Double;

    public static bool IsSupportedType(DataType type) =>
        type is DataType.Float or DataType.Double or DataType.Int64 or DataType.Int32 or DataType.Int16 or DataType.Int8 or DataType.Uint8 or DataType.Bool;

    public static string TypeName(DataType type) => type.ToString().ToUpperInvariant();

    /// <summary>The element count of <paramref name="dims"/>, held to the per-tensor limit.</summary>
    public static int ElementCount(ReadOnlySpan<int> dims)
    {
        var count = SizeMath.Product(dims);
        if (ModelLimits.TensorSizeProblem(count, sizeof(double), "a folded constant") is { } problem)
        {
            throw new SparsifyModelException($"a constant of shape {Shape.Format(dims)} {problem}");
        }

        return (int)count;
    }

    /// <summary>Rounds a computed value to what the element type holds (float32 rounding, integer wrap, 0/1).</summary>
    public static double RoundReal(DataType type, double value) => type == DataType.Float ? (float)value : value;

    public static long WrapInteger(DataType type, long value) => type switch
    {
        DataType.Int32 => (int)value,
        DataType.Int16 => (short)value,
        DataType.Int8 => (sbyte)value,
        DataType.Uint8 => (byte)value,
        DataType.Bool => value != 0 ? 1 : 0,
        _ => value,
    };

    private static DataType Check(DataType type, bool real) =>
        IsSupportedType(type) && IsRealType(type) == real
            ? type
            : throw new InvalidOperationException($"{type} is not a {(real ? "floating-point" : "integer")} constant type");

    private static T[]? Sized<T>(int[] dims, T[]? values) =>
        values is null || values.Length == ElementCount(dims)
            ? values
            : throw new InvalidOperationException($"{values.Length} values for shape {Shape.Format(dims)}");
}
