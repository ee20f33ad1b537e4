using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Sparsify.Core.Onnx.Protos;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Calibration;

/// <summary>
/// A small ONNX graph that turns an image tensor into a model's input, such as the
/// <c>ResNetPreprocess.onnx</c> that ships beside ResNet18 in Microsoft.ML.DnnImageFeaturizer
/// (Split the RGB channels, Concat them as BGR, Sub a mean image). It is evaluated here, in
/// float32, node by node in the order the graph lists them.
/// </summary>
/// <remarks>
/// The operators supported are Split (sizes as the <c>split</c> attribute or, from opset 13, as the
/// second input; equal parts when neither is given), Concat, Add, Sub, Mul and Div (numpy
/// broadcasting), Identity and Constant. Any other operator is an error naming the node. The graph
/// has one input (besides its initializers) and one output.
/// </remarks>
public sealed class PreprocessingModel
{
    private const int MaxNodes = 10_000;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, Tensor> _constants;
    private readonly Dictionary<string, long[]> _integers;

    private PreprocessingModel(string path, GraphProto graph, Dictionary<string, Tensor> constants, Dictionary<string, long[]> integers, string input, string output)
    {
        Path = path;
        _graph = graph;
        _constants = constants;
        _integers = integers;
        InputName = input;
        OutputName = output;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>The graph's input.</summary>
    public string InputName { get; }

    /// <summary>The graph's output.</summary>
    public string OutputName { get; }

    /// <summary>Reads <paramref name="path"/>: the graph, its initializers and constants, every node's operator checked.</summary>
    /// <exception cref="CalibrationDataException">The file is unreadable, not ONNX, or uses an unsupported operator.</exception>
    public static PreprocessingModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var model = OnnxModelFile.Read(path);
            var graph = model.Graph;
            if (graph.Node.Count > MaxNodes)
            {
                throw Fail($"the graph has {graph.Node.Count} nodes; a preprocessing model may have at most {MaxNodes}", path);
            }

            var reader = new OnnxTensorReader(path);
            var constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var integers = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var initializer in graph.Initializer)
            {
                Store(reader, initializer, initializer.Name, constants, integers);
            }

            foreach (var node in graph.Node)
            {
                if (!Operators.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx"))
                {
                    throw new CalibrationDataException(
                        $"node '{node.Name}' ({node.OpType}): the operator is not supported in a preprocessing model; supported are {string.Join(", ", Operators)}",
                        path, CalibrationSettings.MeanImage);
                }

                if (node.OpType == "Constant")
                {
                    var value = new NodeAttributes(node).Tensor("value")
                        ?? throw Fail($"node '{node.Name}' (Constant) has no tensor 'value'", path);
                    Store(reader, value, Single(node, node.Output, "output", path), constants, integers);
                }
            }

            var inputs = graph.Input.Where(i => !constants.ContainsKey(i.Name) && !integers.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1 || graph.Output.Count != 1)
            {
                throw Fail($"a preprocessing model must have one input and one output; this one has {inputs.Count} inputs and {graph.Output.Count} outputs", path);
            }

            return new PreprocessingModel(path, graph, constants, integers, inputs[0].Name, graph.Output[0].Name);
        }
        catch (SparsifyModelException e)
        {
            throw Fail(e.Problem, path, e);
        }
    }

    /// <summary>Evaluates the graph on <paramref name="input"/> and returns its output.</summary>
    /// <exception cref="CalibrationDataException">A node's operands do not fit (shapes, axes, split sizes).</exception>
    public Tensor Run(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = new Dictionary<string, Tensor>(_constants, StringComparer.Ordinal) { [InputName] = input };
        NodeProto? current = null;
        try
        {
            foreach (var node in _graph.Node)
            {
                current = node;
                switch (node.OpType)
                {
                    case "Constant":
                        break;
                    case "Identity":
                        values[Single(node, node.Output, "output", Path)] = Operand(values, node, 0);
                        break;
                    case "Add" or "Sub" or "Mul" or "Div":
                        values[Single(node, node.Output, "output", Path)] = TensorMath.Elementwise(node.OpType, Operand(values, node, 0), Operand(values, node, 1));
                        break;
                    case "Concat":
                        var axis = new NodeAttributes(node).Int("axis", long.MinValue);
                        if (axis == long.MinValue)
                        {
                            throw new SparsifyModelException("Concat needs the attribute 'axis'");
                        }

                        values[Single(node, node.Output, "output", Path)] = TensorMath.Concat(node.Input.Select((_, i) => Operand(values, node, i)).ToArray(), axis);
                        break;
                    case "Split":
                        RunSplit(node, values);
                        break;
                }
            }
        }
        catch (SparsifyModelException e)
        {
            throw Fail(current is null ? e.Problem : $"node '{current.Name}' ({current.OpType}): {e.Problem}", Path, e);
        }

        return values.TryGetValue(OutputName, out var output)
            ? output
            : throw Fail($"no node produces the graph output '{OutputName}'", Path);
    }

    private static readonly string[] Operators = ["Add", "Concat", "Constant", "Div", "Identity", "Mul", "Split", "Sub"];

    private void RunSplit(NodeProto node, Dictionary<string, Tensor> values)
    {
        var data = Operand(values, node, 0);
        var attributes = new NodeAttributes(node);
        var axis = attributes.Int("axis", 0);
        long[]? sizes = attributes.Ints("split");
        if (node.Input.Count > 1 && node.Input[1].Length > 0)
        {
            sizes = _integers.TryGetValue(node.Input[1], out var given)
                ? given
                : throw new SparsifyModelException($"the split sizes '{node.Input[1]}' must be an int64 initializer or constant");
        }

        var outputs = node.Output.Count;
        var parts = TensorMath.Split(data, axis, sizes, outputs);
        for (var i = 0; i < outputs; i++)
        {
            if (node.Output[i].Length > 0)
            {
                values[node.Output[i]] = parts[i];
            }
        }
    }

    private static Tensor Operand(Dictionary<string, Tensor> values, NodeProto node, int index)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0)
        {
            throw new SparsifyModelException($"input {index.ToString(CultureInfo.InvariantCulture)} is missing");
        }

        var name = node.Input[index];
        return values.TryGetValue(name, out var value)
            ? value
            : throw new SparsifyModelException($"input '{name}' is neither the graph input, an initializer nor the output of an earlier node (or is not float32)");
    }

    private static string Single(NodeProto node, Google.Protobuf.Collections.RepeatedField<string> names, string role, string path) =>
        names.Count == 1 && names[0].Length > 0
            ? names[0]
            : throw Fail($"node '{node.Name}' ({node.OpType}) must have exactly one {role}, not {names.Count}", path);

    private static void Store(OnnxTensorReader reader, TensorProto tensor, string name, Dictionary<string, Tensor> constants, Dictionary<string, long[]> integers)
    {
        if ((DataType)tensor.DataType is DataType.Int64 or DataType.Int32)
        {
            integers[name] = reader.ReadInt64(tensor);
        }
        else
        {
            constants[name] = reader.ReadFloat(tensor);
        }
    }

    private static CalibrationDataException Fail(string problem, string path, Exception? inner = null) =>
        new(problem, path, CalibrationSettings.MeanImage, inner);
}
