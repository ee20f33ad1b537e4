using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, Gelu, the unary functions, Mul, Add (with a fused ReLU), the broadcasting operators, a MatMul of two computed values, Softmax and Concat through the runtime's elementwise kernels.</summary>
internal sealed class ElementwiseEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var plan = context.Plan;
        var output = plan.Span(step.Output);
        switch (layer.Op)
        {
            case "Relu":
                context.Run.Line($"Elementwise.Relu({plan.Span(layer.Inputs[0])}, {output});");
                break;
            case "Clip":
                var clip = (ClipParameters)layer.Parameters;
                context.Run.Line($"Elementwise.Clip({plan.Span(layer.Inputs[0])}, {Literals.Float(clip.Min)}, {Literals.Float(clip.Max)}, {output});");
                break;
            case "Sigmoid":
                context.Run.Line($"Elementwise.Sigmoid({plan.Span(layer.Inputs[0])}, {output});");
                break;
            case "Gelu":
                context.Run.Line($"Elementwise.Gelu({plan.Span(layer.Inputs[0])}, {output});");
                break;
            case "LeakyRelu":
                context.Run.Line($"Elementwise.LeakyRelu({plan.Span(layer.Inputs[0])}, {Literals.Float(((LeakyReluParameters)layer.Parameters).Alpha)}, {output});");
                break;
            case var function when ManifestOps.IsUnaryFunction(function):
                // The runtime names each function's method after its op.
                context.Run.Line($"Elementwise.{function}({plan.Span(layer.Inputs[0])}, {output});");
                break;
            case "HardSigmoid":
                var hardSigmoid = (HardSigmoidParameters)layer.Parameters;
                context.Run.Line($"Elementwise.HardSigmoid({plan.Span(layer.Inputs[0])}, {Literals.Float(hardSigmoid.Alpha)}, {Literals.Float(hardSigmoid.Beta)}, {output});");
                break;
            case "Mul":
                var plane = ManifestOps.MultiplyPlane(layer.InputShapes[0], layer.InputShapes[1]) ?? 1;
                context.Run.Line($"Elementwise.Multiply({plan.Span(layer.Inputs[0])}, {plan.Span(layer.Inputs[1])}, {Literals.Int(plane)}, {output});");
                break;
            case "Add":
                context.Run.Line($"Elementwise.Add({plan.Span(layer.Inputs[0])}, {plan.Span(layer.Inputs[1])}, {Literals.Bool(step.Relu)}, {output});");
                break;
            case "MatMul":
                context.Run.Line($"MatrixProduct.Multiply({plan.Span(layer.Inputs[0])}, {Literals.IntArray(layer.InputShapes[0])}, {plan.Span(layer.Inputs[1])}, {Literals.IntArray(layer.InputShapes[1])}, {output}, _threads);");
                break;
            case "Broadcast":
                var operation = Literals.String(((BroadcastParameters)layer.Parameters).Function);
                context.Run.Line($"Elementwise.Broadcast({operation}, {plan.Span(layer.Inputs[0])}, {Literals.IntArray(layer.InputShapes[0])}, {plan.Span(layer.Inputs[1])}, {Literals.IntArray(layer.InputShapes[1])}, {output});");
                break;
            case "Softmax":
                EmitSoftmax(context, step, output);
                break;
            case "ReduceMean" or "ReduceSum":
                var reduce = (ReduceParameters)layer.Parameters;
                var shape = layer.InputShapes[0];
                context.Run.Line($"Elementwise.Reduce({plan.Span(layer.Inputs[0])}, {Literals.Int(Product(shape, 0, reduce.First))}, {Literals.Int(Product(shape, reduce.First, reduce.Last + 1))}, {Literals.Int(Product(shape, reduce.Last + 1, shape.Count))}, {Literals.Bool(layer.Op == "ReduceMean")}, {output});");
                break;
            default:
                EmitConcat(context, step, output);
                break;
        }
    }

    // Batch 1: the leading dimension contributes nothing to the outer count.
    private static int Product(EquatableList<int> shape, int from, int to)
    {
        var n = 1;
        for (var i = from; i < to; i++)
        {
            n *= i == 0 ? 1 : shape[i];
        }

        return n;
    }

    private static void EmitSoftmax(EmitContext context, Step step, string output)
    {
        var layer = step.Layer;
        var shape = layer.InputShapes[0];
        var softmax = (SoftmaxParameters)layer.Parameters;
        var rank = shape.Count;
        var axis = softmax.Axis < 0 ? softmax.Axis + rank : softmax.Axis;
        var outer = Product(shape, 0, axis);
        var (length, inner) = softmax.CoerceTo2D
            ? (Product(shape, axis, rank), 1)
            : (Product(shape, axis, axis + 1), Product(shape, axis + 1, rank));
        context.Run.Line($"Elementwise.Softmax({context.Plan.Span(layer.Inputs[0])}, {Literals.Int(outer)}, {Literals.Int(length)}, {Literals.Int(inner)}, {output});");
    }

    private static void EmitConcat(EmitContext context, Step step, string output)
    {
        var layer = step.Layer;
        var rank = layer.OutputShape.Count;
        var axis = ((AxisParameters)layer.Parameters).Axis;
        axis = axis < 0 ? axis + rank : axis;
        var outer = Product(layer.OutputShape, 0, axis);
        var inner = Product(layer.OutputShape, axis + 1, rank);
        var outputInner = Product(layer.OutputShape, axis, axis + 1) * inner;
        var offset = 0;
        foreach (var (name, shape) in layer.Inputs.Zip(layer.InputShapes, (n, s) => (n, s)))
        {
            var block = Product(shape, axis, axis + 1) * inner;
            context.Run.Line($"Elementwise.CopyBlock({context.Plan.Span(name)}, {Literals.Int(outer)}, {Literals.Int(block)}, {output}, {Literals.Int(outputInner)}, {Literals.Int(offset)});");
            offset += block;
        }
    }
}
