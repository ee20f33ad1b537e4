using ILGPU;
using ILGPU.Runtime;
using Sparsify.Hardware.Gpu.Kernels;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>
/// Turns a manifest into a list of kernel launches over buffers allocated here, once: one buffer per
/// value (Flatten and Reshape alias their input), weights uploaded in their compressed arrays.
/// Fuses what the generated CPU code fuses: a Conv or Gemm absorbs a following residual Add (when
/// the other operand is already computed) and ReLU; an Add absorbs a following ReLU.
/// </summary>
internal sealed partial class GpuModelBuilder
{
    private readonly Manifest _manifest;
    private readonly WeightBlobReader _blob;
    private readonly DeviceMemory _memory;
    private readonly KernelSet _kernels;
    private readonly Dictionary<string, ArrayView<float>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs;
    private readonly HashSet<int> _fused = [];
    private readonly ArrayView<float> _none;

    public GpuModelBuilder(Accelerator accelerator, Manifest manifest, WeightBlobReader blob, DeviceMemory memory)
    {
        _manifest = manifest;
        _blob = blob;
        _memory = memory;
        _kernels = new KernelSet(accelerator);
        _none = memory.Floats(1);
        _graphOutputs = new HashSet<string>(manifest.Outputs.Select(o => o.Name), StringComparer.Ordinal);
        for (var l = 0; l < manifest.Layers.Count; l++)
        {
            foreach (var input in manifest.Layers[l].Inputs)
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }

                list.Add(l);
            }
        }
    }

    /// <summary>The launches, in order.</summary>
    public List<Action> Steps { get; } = [];

    /// <summary>One line per launch: the layer(s), the kernel and the fused epilogue.</summary>
    public List<string> Plan { get; } = [];

    /// <summary>The device buffer of each graph value.</summary>
    public IReadOnlyDictionary<string, ArrayView<float>> Values => _values;

    public void Build()
    {
        foreach (var input in _manifest.Inputs)
        {
            _values[input.Name] = _memory.Floats(Elements(input.Shape));
        }

        for (var l = 0; l < _manifest.Layers.Count; l++)
        {
            if (!_fused.Contains(l))
            {
                BuildLayer(l, _manifest.Layers[l]);
            }
        }

        foreach (var output in _manifest.Outputs)
        {
            if (!_values.ContainsKey(output.Name))
            {
                throw new InvalidDataException($"model '{_manifest.Model}': no layer produces output '{output.Name}'");
            }
        }
    }

    private void BuildLayer(int index, ManifestLayer layer)
    {
        switch (layer.Op)
        {
            case "Conv":
                BuildConv(index, layer);
                break;
            case "Gemm":
                BuildGemm(index, layer);
                break;
            case "MaxPool" or "AveragePool":
                BuildPool(layer);
                break;
            case "GlobalAveragePool":
                BuildGlobalAverage(layer);
                break;
            case "LRN":
                BuildLrn(layer);
                break;
            case "Relu":
                BuildRelu(layer);
                break;
            case "Add":
                BuildAdd(index, layer);
                break;
            case "Concat":
                BuildConcat(layer);
                break;
            case "Softmax":
                BuildSoftmax(layer);
                break;
            case "Flatten" or "Reshape":
                _values[layer.Output] = Input(layer, 0);
                Plan.Add($"{layer.Name}: {layer.Op} (a view of {layer.Inputs[0]}, no launch)");
                break;
            default:
                throw new NotSupportedException($"layer '{layer.Name}': Sparsify's ILGPU kernels do not cover {layer.Op}");
        }
    }

    /// <summary>
    /// What a Conv or Gemm writing <paramref name="output"/> can absorb: a residual Add whose other
    /// operand exists already (when <paramref name="allowResidual"/>), then a ReLU. Returns the value
    /// the fused kernel writes and the epilogue's pieces; marks the absorbed layers.
    /// </summary>
    private (string Target, ArrayView<float> Residual, bool HasResidual, bool Relu, string Description) Absorb(int index, string output, bool allowResidual)
    {
        var target = output;
        var residual = _none;
        var hasResidual = false;
        var description = string.Empty;
        if (allowResidual && SoleConsumer(index, target) is int add && _manifest.Layers[add].Op == "Add" && _manifest.Layers[add].Inputs.Count == 2)
        {
            var layer = _manifest.Layers[add];
            var other = layer.Inputs[0] == target ? layer.Inputs[1] : layer.Inputs[0];
            if (other != target && _values.TryGetValue(other, out var view) && layer.InputShapes[0].SequenceEqual(layer.InputShapes[1]))
            {
                residual = view;
                hasResidual = true;
                target = layer.Output;
                _fused.Add(add);
                description += $" + residual {other} ({layer.Name})";
            }
        }

        var relu = false;
        if (SoleConsumer(index, target) is int r && _manifest.Layers[r].Op == "Relu")
        {
            relu = true;
            target = _manifest.Layers[r].Output;
            _fused.Add(r);
            description += $" + relu ({_manifest.Layers[r].Name})";
        }

        return (target, residual, hasResidual, relu, description);
    }

    // The only layer reading a value, if it comes later and the value is not a graph output.
    private int? SoleConsumer(int index, string value) =>
        !_graphOutputs.Contains(value) && _consumers.TryGetValue(value, out var list) && list.Count == 1 && list[0] > index ? list[0] : null;

    private ArrayView<float> Input(ManifestLayer layer, int operand) =>
        _values.TryGetValue(layer.Inputs[operand], out var view)
            ? view
            : throw new InvalidDataException($"layer '{layer.Name}' reads '{layer.Inputs[operand]}' before any layer writes it");

    private ArrayView<float> Allocate(string value, IReadOnlyList<int> shape)
    {
        var view = _memory.Floats(Elements(shape));
        _values[value] = view;
        return view;
    }

    private static long Elements(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        return count;
    }

    private static int Product(EquatableList<int> shape, int from, int to)
    {
        var count = 1;
        for (var i = from; i < to; i++)
        {
            count *= shape[i];
        }

        return count;
    }
}
