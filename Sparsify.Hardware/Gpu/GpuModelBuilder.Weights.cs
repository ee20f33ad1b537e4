using ILGPU;
using Sparsify.Hardware.Gpu.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>Conv and Gemm: weights uploaded in the layout the compiler chose, kernels with fused epilogues.</summary>
internal sealed partial class GpuModelBuilder
{
    private void BuildConv(ExecutionStep step, ManifestLayer layer)
    {
        var weights = layer.Weights ?? throw new InvalidDataException($"layer '{layer.Name}' (Conv) has no weights in the manifest");
        var conv = (ConvParameters)layer.Parameters;
        var window = conv.Window;
        var convGroups = conv.Group;
        var input = layer.InputShapes[0];
        var output = layer.OutputShape;
        var shape = new ConvShape
        {
            Batch = input[0], InChannels = input[1], InHeight = input[2], InWidth = input[3],
            OutChannels = output[1], OutHeight = output[2], OutWidth = output[3],
            KernelH = window.KernelH, KernelW = window.KernelW, StrideH = window.StrideH, StrideW = window.StrideW, DilationH = window.DilationH, DilationW = window.DilationW,
            PadTop = window.Pads.Top, PadLeft = window.Pads.Left,
            InChannelsPerGroup = input[1] / convGroups, OutChannelsPerGroup = output[1] / convGroups,
        };
        var matrix = HostMatrix.Load(layer.Name, weights, _blob);
        if (matrix.Columns != shape.Columns || matrix.Rows != shape.OutChannels)
        {
            throw new InvalidDataException($"layer '{layer.Name}': a {matrix.Rows}x{matrix.Columns} weight matrix does not fit the convolution's {shape.OutChannels}x{shape.Columns}");
        }

        // A group of G rows must read one convolution group's input channels.
        if (matrix.Layout == MatrixLayout.Group && convGroups > 1 && shape.OutChannelsPerGroup % matrix.GroupSize != 0)
        {
            matrix = matrix.ToCsr();
        }

        var x = Input(layer, 0);
        var (target, residual, hasResidual, relu, fused) = Epilogue(step);
        var y = Allocate(target, output);
        var (bias, hasBias) = Bias(weights);
        var epilogue = new Epilogue { HasBias = hasBias ? 1 : 0, HasResidual = hasResidual ? 1 : 0, Relu = relu ? 1 : 0 };
        var pixels = shape.OutHeight * shape.OutWidth;
        switch (matrix.Layout)
        {
            case MatrixLayout.Dense:
            {
                var w = _memory.Upload(matrix.Values);
                var kernel = _kernels.DenseConv;
                var count = shape.Batch * shape.OutChannels * pixels;
                Steps.Add(() => kernel(count, x, w, bias, residual, y, shape, epilogue));
                Plan.Add($"{layer.Name}: dense conv{fused}");
                break;
            }

            case MatrixLayout.Csr:
            {
                var (offsets, taps) = ColumnTables(matrix.ColumnIndices, shape);
                var rows = _memory.Upload(matrix.Pointers);
                var values = _memory.Upload(matrix.Values);
                var kernel = _kernels.CsrConv;
                var count = shape.Batch * shape.OutChannels * pixels;
                Steps.Add(() => kernel(count, x, rows, offsets, taps, values, bias, residual, y, shape, epilogue));
                Plan.Add($"{layer.Name}: CSR sparse conv, {matrix.Values.Length} nonzeros{fused}");
                break;
            }

            default:
            {
                var (offsets, taps) = ColumnTables(matrix.ColumnIndices, shape);
                var groupPointers = _memory.Upload(matrix.Pointers);
                var valuePointers = _memory.Upload(matrix.ValuePointers);
                var values = _memory.Upload(matrix.Values);
                var sparse = Sparse(matrix);
                var kernel = _kernels.GroupConv;
                var count = shape.Batch * (matrix.Pointers.Length - 1) * sparse.LaneBlocks * pixels;
                Steps.Add(() => kernel(count, x, groupPointers, valuePointers, offsets, taps, values, bias, residual, y, shape, sparse, epilogue));
                Plan.Add($"{layer.Name}: group-format sparse conv, G={matrix.GroupSize}, {matrix.ColumnIndices.Length} shared columns{fused}");
                break;
            }
        }
    }

    private void BuildGemm(ExecutionStep step, ManifestLayer layer)
    {
        var weights = layer.Weights ?? throw new InvalidDataException($"layer '{layer.Name}' (Gemm) has no weights in the manifest");
        var input = layer.InputShapes[0];
        var shape = new GemmShape { Batch = input[0], InFeatures = Product(input, 1, input.Count), OutFeatures = layer.OutputShape[^1] };
        var matrix = HostMatrix.Load(layer.Name, weights, _blob);
        if (matrix.Columns != shape.InFeatures || matrix.Rows != shape.OutFeatures)
        {
            throw new InvalidDataException($"layer '{layer.Name}': a {matrix.Rows}x{matrix.Columns} weight matrix does not fit {shape.InFeatures} inputs and {shape.OutFeatures} outputs");
        }

        var x = Input(layer, 0);
        var (target, residual, hasResidual, relu, fused) = Epilogue(step);
        var y = Allocate(target, layer.OutputShape);
        var (bias, hasBias) = Bias(weights);
        var epilogue = new Epilogue { HasBias = hasBias ? 1 : 0, HasResidual = hasResidual ? 1 : 0, Relu = relu ? 1 : 0 };
        switch (matrix.Layout)
        {
            case MatrixLayout.Dense:
            {
                var w = _memory.Upload(matrix.Values);
                var kernel = _kernels.DenseGemm;
                var count = shape.Batch * shape.OutFeatures;
                Steps.Add(() => kernel(count, x, w, bias, residual, y, shape, epilogue));
                Plan.Add($"{layer.Name}: dense fully connected{fused}");
                break;
            }

            case MatrixLayout.Csr:
            {
                var rows = _memory.Upload(matrix.Pointers);
                var columns = _memory.Upload(matrix.ColumnIndices);
                var values = _memory.Upload(matrix.Values);
                var kernel = _kernels.CsrGemm;
                var count = shape.Batch * shape.OutFeatures;
                Steps.Add(() => kernel(count, x, rows, columns, values, bias, residual, y, shape, epilogue));
                Plan.Add($"{layer.Name}: CSR sparse fully connected, {matrix.Values.Length} nonzeros{fused}");
                break;
            }

            default:
            {
                var groupPointers = _memory.Upload(matrix.Pointers);
                var valuePointers = _memory.Upload(matrix.ValuePointers);
                var columns = _memory.Upload(matrix.ColumnIndices);
                var values = _memory.Upload(matrix.Values);
                var sparse = Sparse(matrix);
                var kernel = _kernels.GroupGemm;
                var count = shape.Batch * (matrix.Pointers.Length - 1) * sparse.LaneBlocks;
                Steps.Add(() => kernel(count, x, groupPointers, valuePointers, columns, values, bias, residual, y, shape, sparse, epilogue));
                Plan.Add($"{layer.Name}: group-format sparse fully connected, G={matrix.GroupSize}, {matrix.ColumnIndices.Length} shared columns{fused}");
                break;
            }
        }
    }

    private (ArrayView<float> Bias, bool HasBias) Bias(ManifestWeights weights) =>
        weights.BiasBlob is { } location ? (_memory.Upload(_blob.ReadFloats(location)), true) : (_none, false);

    private static SparseShape Sparse(HostMatrix matrix) => new()
    {
        Rows = matrix.Rows,
        GroupSize = matrix.GroupSize,
        LaneBlocks = (matrix.GroupSize + ConvKernels.Lanes - 1) / ConvKernels.Lanes,
    };

    // Per kept column (ic, kh, kw): its input offset from the window's corner and its packed tap.
    private (ArrayView<int> Offsets, ArrayView<int> Taps) ColumnTables(int[] columns, ConvShape s)
    {
        var window = s.KernelH * s.KernelW;
        var offsets = new int[columns.Length];
        var taps = new int[columns.Length];
        for (var e = 0; e < columns.Length; e++)
        {
            var c = columns[e];
            var ic = c / window;
            var kh = c % window / s.KernelW;
            var kw = c % s.KernelW;
            var dh = kh * s.DilationH;
            var dw = kw * s.DilationW;
            if (dh > 0x7FFF || dw > 0xFFFF)
            {
                throw new NotSupportedException($"a kernel tap at ({dh}, {dw}) is too far for the packed tap table");
            }

            offsets[e] = (ic * s.InPixels) + (dh * s.InWidth) + dw;
            taps[e] = (dh << 16) | dw;
        }

        return (_memory.Upload(offsets), _memory.Upload(taps));
    }
}
