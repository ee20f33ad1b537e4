using System.Globalization;
using Sparsify.Core.Onnx.Protos;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Onnx.Folding;

internal static partial class ConstantFolder
{
    // Floating point is computed in double and rounded to the element type once, which for
    // + - * / and sqrt of float32 operands gives exactly float32 arithmetic's result.
    private static ConstantTensor Arithmetic(string op, ConstantTensor a, ConstantTensor b)
    {
        // Pow may raise to an exponent of another type (opset 12 and later); the others may not.
        if (op != "Pow")
        {
            ExpectSameType(a, b, "the operands");
        }

        var dims = BroadcastDims(a.Dims, b.Dims);
        var fromA = BroadcastSource(dims, a.Dims);
        var fromB = BroadcastSource(dims, b.Dims);
        var count = ConstantTensor.ElementCount(dims);
        if (a.IsReal)
        {
            var values = new double[count];
            for (var i = 0; i < count; i++)
            {
                double x = a.RealAt(fromA(i)), y = b.RealAt(fromB(i));
                values[i] = ConstantTensor.RoundReal(a.Type, op switch
                {
                    "Add" => x + y,
                    "Sub" => x - y,
                    "Mul" => x * y,
                    "Div" => x / y,
                    _ => Math.Pow(x, y),
                });
            }

            return ConstantTensor.Real(dims, a.Type, values);
        }

        if (a.Type == DataType.Bool)
        {
            throw new SparsifyModelException($"{op} of BOOL values is not defined");
        }

        var integers = new long[count];
        for (var i = 0; i < count; i++)
        {
            long x = a.Integers![fromA(i)];
            var y = b.IsReal ? (long)b.Reals![fromB(i)] : b.Integers![fromB(i)];
            integers[i] = ConstantTensor.WrapInteger(a.Type, op switch
            {
                "Add" => unchecked(x + y),
                "Sub" => unchecked(x - y),
                "Mul" => unchecked(x * y),
                // As ONNX Runtime: integer division truncates toward zero.
                "Div" => y != 0 ? (x == long.MinValue && y == -1 ? x : x / y) : throw new SparsifyModelException("integer division by zero"),
                _ => b.IsReal ? (long)Math.Pow(x, b.Reals![fromB(i)]) : IntegerPower(x, y),
            });
        }

        return ConstantTensor.Integer(dims, a.Type, integers);
    }

    private static long IntegerPower(long x, long y)
    {
        if (y < 0)
        {
            return x == 1 ? 1 : x == -1 ? (y % 2 == 0 ? 1 : -1) : 0;
        }

        long result = 1;
        for (var bits = y; bits > 0; bits >>= 1)
        {
            if ((bits & 1) != 0)
            {
                result = unchecked(result * x);
            }

            x = unchecked(x * x);
        }

        return result;
    }

    private static ConstantTensor Equal(ConstantTensor a, ConstantTensor b)
    {
        ExpectSameType(a, b, "the operands");
        var dims = BroadcastDims(a.Dims, b.Dims);
        var fromA = BroadcastSource(dims, a.Dims);
        var fromB = BroadcastSource(dims, b.Dims);
        var values = new long[ConstantTensor.ElementCount(dims)];
        for (var i = 0; i < values.Length; i++)
        {
            var equal = a.IsReal ? a.Reals![fromA(i)] == b.Reals![fromB(i)] : a.Integers![fromA(i)] == b.Integers![fromB(i)];
            values[i] = equal ? 1 : 0;
        }

        return ConstantTensor.Integer(dims, DataType.Bool, values);
    }

    private static ConstantTensor Where(ConstantTensor condition, ConstantTensor x, ConstantTensor y)
    {
        if (condition.Type != DataType.Bool)
        {
            throw new SparsifyModelException($"the condition has element type {ConstantTensor.TypeName(condition.Type)}; it must be BOOL");
        }

        ExpectSameType(x, y, "the two choices");
        var dims = BroadcastDims(condition.Dims, x.Dims, y.Dims);
        var fromCondition = BroadcastSource(dims, condition.Dims);
        var fromX = BroadcastSource(dims, x.Dims);
        var fromY = BroadcastSource(dims, y.Dims);
        var pick = new int[ConstantTensor.ElementCount(dims)];
        var choices = Concatenated(x, y);
        for (var i = 0; i < pick.Length; i++)
        {
            pick[i] = condition.Integers![fromCondition(i)] != 0 ? fromX(i) : x.Count + fromY(i);
        }

        return choices.Gather(dims, i => pick[i]);
    }

    // x's values followed by y's, as one flat constant of x's type, for picking by index.
    private static ConstantTensor Concatenated(ConstantTensor x, ConstantTensor y) => x.IsReal
        ? ConstantTensor.Real([x.Count + y.Count], x.Type, [.. x.Reals!, .. y.Reals!])
        : ConstantTensor.Integer([x.Count + y.Count], x.Type, [.. x.Integers!, .. y.Integers!]);

    private static ConstantTensor Sqrt(ConstantTensor x) => x.IsReal
        ? ConstantTensor.Real(x.Dims, x.Type, x.Reals!.Select(v => ConstantTensor.RoundReal(x.Type, Math.Sqrt(v))).ToArray())
        : throw new SparsifyModelException($"Sqrt of {ConstantTensor.TypeName(x.Type)} values is not defined; it takes floating point");

    private static ConstantTensor Neg(ConstantTensor x) => x.IsReal
        ? ConstantTensor.Real(x.Dims, x.Type, x.Reals!.Select(v => -v).ToArray())
        : x.Type is DataType.Bool or DataType.Uint8
            ? throw new SparsifyModelException($"Neg of {ConstantTensor.TypeName(x.Type)} values is not defined")
            : ConstantTensor.Integer(x.Dims, x.Type, x.Integers!.Select(v => ConstantTensor.WrapInteger(x.Type, unchecked(-v))).ToArray());

    private static ConstantTensor Cast(ConstantTensor x, NodeAttributes attributes)
    {
        if (!attributes.Has("to"))
        {
            throw new SparsifyModelException("attribute 'to' is required");
        }

        var to = (DataType)attributes.Int("to", 0);
        if (!ConstantTensor.IsSupportedType(to))
        {
            throw new SparsifyModelException($"a Cast to {(Enum.IsDefined(to) ? ConstantTensor.TypeName(to) : ((int)to).ToString(CultureInfo.InvariantCulture))} is not supported in constant folding");
        }

        if (ConstantTensor.IsRealType(to))
        {
            return ConstantTensor.Real(x.Dims, to, Enumerable.Range(0, x.Count).Select(i => ConstantTensor.RoundReal(to, x.RealAt(i))).ToArray());
        }

        if (x.Integers is { } integers)
        {
            return ConstantTensor.Integer(x.Dims, to, integers.Select(v => ConstantTensor.WrapInteger(to, v)).ToArray());
        }

        // Floating point to integer truncates toward zero, as ONNX Runtime's static_cast does.
        return ConstantTensor.Integer(x.Dims, to, x.Reals!.Select(v => to == DataType.Bool
            ? (v != 0 ? 1L : 0L)
            : double.IsFinite(v) && Math.Abs(v) < 9.2e18
                ? ConstantTensor.WrapInteger(to, (long)Math.Truncate(v))
                : throw new SparsifyModelException($"cannot cast {v.ToString(CultureInfo.InvariantCulture)} to {ConstantTensor.TypeName(to)}")).ToArray());
    }
}
