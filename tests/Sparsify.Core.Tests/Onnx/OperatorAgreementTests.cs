using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;
using static Sparsify.Core.Tests.Support.OnnxProtoBuilder;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// Each supported operator and attribute variant, imported from a hand-written ONNX model and run by
/// the reference executor, agrees with ONNX Runtime on the same file.
/// </summary>
[TestClass]
public sealed class OperatorAgreementTests
{
    private static readonly Dictionary<string, Func<OnnxProtoBuilder>> Cases = new()
    {
        ["conv asymmetric pads, no bias"] = () => Single(13, [1, 3, 15, 15], b => b.Node("Conv", ["x", b.Weights("w", [8, 3, 7, 7])], "y", Ints("pads", 3, 3, 2, 2), Ints("strides", 2, 2))),
        ["conv group + bias + dilation"] = () => Single(11, [1, 4, 12, 12], b => b.Node("Conv", ["x", b.Weights("w", [6, 2, 3, 3]), b.Weights("b", [6])], "y", Int("group", 2), Ints("dilations", 2, 2), Ints("pads", 1, 1, 1, 1))),
        ["conv depthwise"] = () => Single(13, [1, 5, 9, 9], b => b.Node("Conv", ["x", b.Weights("w", [5, 1, 3, 3])], "y", Int("group", 5))),
        ["conv auto_pad SAME_UPPER"] = () => Single(13, [1, 2, 10, 11], b => b.Node("Conv", ["x", b.Weights("w", [3, 2, 4, 4])], "y", String("auto_pad", "SAME_UPPER"), Ints("strides", 2, 2))),
        ["conv auto_pad SAME_LOWER"] = () => Single(13, [1, 2, 10, 11], b => b.Node("Conv", ["x", b.Weights("w", [3, 2, 4, 4])], "y", String("auto_pad", "SAME_LOWER"), Ints("strides", 2, 2))),
        ["conv auto_pad VALID batch 2"] = () => Single(9, [2, 2, 8, 8], b => b.Node("Conv", ["x", b.Weights("w", [3, 2, 3, 3])], "y", String("auto_pad", "VALID"))),
        ["maxpool ceil_mode asymmetric"] = () => Single(12, [1, 2, 10, 10], b => b.Node("MaxPool", ["x"], "y", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0), Int("ceil_mode", 1))),
        ["maxpool dilation"] = () => Single(12, [1, 2, 11, 11], b => b.Node("MaxPool", ["x"], "y", Ints("kernel_shape", 2, 2), Ints("dilations", 2, 2))),
        ["maxpool opset 8"] = () => Single(8, [1, 3, 9, 9], b => b.Node("MaxPool", ["x"], "y", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2))),
        ["averagepool count_include_pad"] = () => Single(11, [1, 2, 7, 7], b => b.Node("AveragePool", ["x"], "y", Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 1), Ints("strides", 2, 2))),
        ["averagepool exclude pad"] = () => Single(11, [1, 2, 7, 7], b => b.Node("AveragePool", ["x"], "y", Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2))),
        ["averagepool ceil_mode"] = () => Single(11, [1, 2, 8, 8], b => b.Node("AveragePool", ["x"], "y", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1))),
        ["zero pad absorbed by average pool"] = () => Single(13, [1, 2, 6, 6], b =>
        {
            b.Node("Pad", ["x", b.Int64s("pads", 0, 0, 1, 2, 0, 0, 1, 0)], "p");
            b.Node("AveragePool", ["p"], "y", Ints("kernel_shape", 3, 3));
        }),
        ["zero pad absorbed by conv with pads of its own, opset 9"] = () => Single(9, [1, 2, 6, 6], b =>
        {
            b.Node("Pad", ["x"], "p", Ints("pads", 0, 0, 2, 0, 0, 0, 0, 1));
            b.Node("Conv", ["p", b.Weights("w", [3, 2, 3, 3])], "y", Ints("pads", 1, 1, 1, 1));
        }),
        ["reduce mean over H and W keepdims"] = () => Single(13, [1, 3, 4, 5], b => b.Node("ReduceMean", ["x"], "y", Ints("axes", -1, 2))),
        ["reduce mean over H and W then gemm"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("ReduceMean", ["x"], "m", Ints("axes", 2, 3), Int("keepdims", 0));
            b.Node("Gemm", ["m", b.Weights("w", [4, 3])], "y", Int("transB", 1));
        }),
        ["global average pool"] = () => Single(13, [1, 4, 5, 6], b => b.Node("GlobalAveragePool", ["x"], "y")),
        ["lrn odd size"] = () => Single(13, [1, 7, 4, 4], b => b.Node("LRN", ["x"], "y", Int("size", 5), Float("alpha", 0.01f), Float("beta", 0.75f), Float("bias", 2f))),
        ["lrn size 3"] = () => Single(13, [1, 6, 3, 3], b => b.Node("LRN", ["x"], "y", Int("size", 3), Float("alpha", 0.05f))),
        ["relu"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Relu", ["x"], "y")),
        ["clip both bounds"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Clip", ["x", b.Scalar("lo", -0.3f), b.Scalar("hi", 0.4f)], "y")),
        ["clip max only"] = () => Single(11, [1, 3, 4, 4], b => b.Node("Clip", ["x", "", b.Scalar("hi", 0.2f)], "y")),
        ["sigmoid"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Sigmoid", ["x"], "y")),
        ["hard sigmoid onnx defaults"] = () => Single(13, [1, 3, 4, 4], b => b.Node("HardSigmoid", ["x"], "y")),
        ["hard sigmoid steep"] = () => Single(13, [1, 3, 4, 4], b => b.Node("HardSigmoid", ["x"], "y", Float("alpha", 2f), Float("beta", 0.25f))),
        ["hard swish opset 14"] = () => Single(14, [1, 3, 4, 4], b => b.Node("HardSwish", ["x"], "y")),
        ["mul of one shape"] = () => Single(13, [1, 3, 4, 4], b =>
        {
            b.Node("Relu", ["x"], "r");
            b.Node("Mul", ["x", "r"], "y");
        }),
        ["mul by a per-channel gate, gate first"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("GlobalAveragePool", ["x"], "g");
            b.Node("Mul", ["g", "x"], "y");
        }),
        ["clip opset 7 attributes"] = () => Single(7, [1, 3, 4, 4], b => b.Node("Clip", ["x"], "y", Float("min", -0.5f), Float("max", 0.5f))),
        ["gemm transB alpha beta"] = () => Single(11, [2, 6], b => b.Node("Gemm", ["x", b.Weights("w", [4, 6]), b.Weights("c", [4])], "y", Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f))),
        ["gemm no transB, row bias"] = () => Single(9, [1, 6], b => b.Node("Gemm", ["x", b.Weights("w", [6, 5]), b.Weights("c", [1, 5])], "y")),
        ["gemm without bias"] = () => Single(13, [1, 6], b => b.Node("Gemm", ["x", b.Weights("w", [3, 6])], "y", Int("transB", 1))),
        ["matmul + add folded"] = () => Single(13, [1, 6], b =>
        {
            b.Node("MatMul", ["x", b.Weights("w", [6, 4])], "m");
            b.Node("Add", ["m", b.Weights("c", [4])], "y");
        }),
        ["conv + batchnorm folded"] = () => Single(9, [1, 3, 6, 6], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [4, 3, 3, 3]), b.Weights("cb", [4])], "c");
            b.Node("BatchNormalization", ["c", b.Weights("s", [4]), b.Weights("bb", [4]), b.Weights("m", [4]), b.Weights("v", [4], map: v => v + 1.5f)], "y", Float("epsilon", 1e-3f));
        }),
        ["gemm + batchnorm folded"] = () => Single(13, [1, 5], b =>
        {
            b.Node("Gemm", ["x", b.Weights("w", [4, 5])], "g", Int("transB", 1));
            b.Node("BatchNormalization", ["g", b.Weights("s", [4]), b.Weights("bb", [4]), b.Weights("m", [4]), b.Weights("v", [4], map: v => v + 1.5f)], "y");
        }),
        ["conv + constant channel bias folded"] = () => Single(13, [1, 2, 5, 5], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 2, 3, 3])], "c");
            b.Node("Add", ["c", b.Weights("bias", [3, 1, 1])], "y");
        }),
        ["batchnorm on an input: a per-channel step"] = () => Single(13, [1, 4, 3, 5], b =>
            b.Node("BatchNormalization", ["x", b.Weights("s", [4]), b.Weights("bb", [4]), b.Weights("m", [4]), b.Weights("v", [4], map: v => v + 1.5f)], "y", Float("epsilon", 1e-3f))),
        ["batchnorm after a concat, then relu"] = () => Single(9, [1, 2, 4, 4], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 2, 1, 1])], "c");
            b.Node("Concat", ["x", "c"], "cat", Int("axis", 1));
            b.Node("BatchNormalization", ["cat", b.Weights("s", [5]), b.Weights("bb", [5]), b.Weights("m", [5]), b.Weights("v", [5], map: v => v + 1.5f)], "n");
            b.Node("Relu", ["n"], "y");
        }),
        ["batchnorm of a 2-D input"] = () => Single(13, [2, 6], b =>
            b.Node("BatchNormalization", ["x", b.Weights("s", [6]), b.Weights("bb", [6]), b.Weights("m", [6]), b.Weights("v", [6], map: v => v + 1.5f)], "y")),
        ["mul by a per-channel constant (layer scale)"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Mul", [b.Weights("gamma", [3, 1, 1]), "x"], "y")),
        ["mul by a scalar constant after a conv, folded"] = () => Single(13, [1, 2, 5, 5], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 2, 3, 3]), b.Weights("cb", [3])], "c");
            b.Node("Mul", ["c", b.Scalar("half", 0.5f)], "y");
        }),
        ["add of a per-channel constant to an input"] = () => Single(13, [1, 3, 2, 4], b => b.Node("Add", ["x", b.Weights("shift", [3, 1, 1])], "y")),
        ["slice of channels, opset 13"] = () => Single(13, [1, 6, 3, 3], b => b.Node("Slice", ["x", b.Int64s("starts", 2), b.Int64s("ends", 5), b.Int64s("axes", 1)], "y")),
        ["slice of the last axis, negative and clamped bounds"] = () => Single(11, [1, 2, 3, 7], b => b.Node("Slice", ["x", b.Int64s("starts", -5, 0), b.Int64s("ends", long.MaxValue, 9), b.Int64s("axes", -1, 1)], "y")),
        ["slice opset 9 attributes"] = () => Single(9, [1, 4, 3, 3], b => b.Node("Slice", ["x"], "y", Ints("starts", 1), Ints("ends", 3), Ints("axes", 1))),
        ["split of channels into parts, concatenated reversed"] = () => Single(13, [1, 6, 2, 2], b =>
        {
            b.Node("Split", ["x", b.Int64s("split", 1, 3, 2)], ["a", "b", "c"], Int("axis", 1));
            b.Node("Concat", ["c", "a", "b"], "y", Int("axis", 1));
        }),
        ["split into equal parts, opset 11"] = () => Single(11, [1, 4, 3, 3], b =>
        {
            b.Node("Split", ["x"], ["a", "b"], Int("axis", 1));
            b.Node("Add", ["b", "a"], "y");
        }),
        ["channel shuffle"] = () => Single(13, [1, 6, 2, 3], b =>
        {
            b.Node("Reshape", ["x", b.Int64s("grouped", 1, 3, 2, 2, 3)], "g");
            b.Node("Transpose", ["g"], "t", Ints("perm", 0, 2, 1, 3, 4));
            b.Node("Reshape", ["t", b.Int64s("back", 1, -1, 2, 3)], "y");
        }),
        ["layer normalization of a 2-D value, opset 17"] = () => Single(17, [2, 6], b =>
            b.Node("LayerNormalization", ["x", b.Weights("s", [6]), b.Weights("bb", [6])], "y", Float("epsilon", 1e-3f))),
        ["gelu in its erf form"] = () => Single(13, [1, 3, 4, 4], b =>
        {
            b.Node("Div", ["x", b.Scalar("root", MathF.Sqrt(2))], "d");
            b.Node("Erf", ["d"], "e");
            b.Node("Add", ["e", b.Scalar("one", 1)], "p");
            b.Node("Mul", ["x", "p"], "m");
            b.Node("Mul", ["m", b.Scalar("half", 0.5f)], "y");
        }),
        ["channels-last layer norm and linear, opset 17"] = () => Single(17, [1, 4, 3, 3], b =>
        {
            b.Node("Transpose", ["x"], "t", Ints("perm", 0, 2, 3, 1));
            b.Node("LayerNormalization", ["t", b.Weights("s", [4]), b.Weights("bb", [4])], "n", Float("epsilon", 1e-6f));
            b.Node("MatMul", ["n", b.Weights("w", [4, 6])], "m");
            b.Node("Add", [b.Weights("c", [6]), "m"], "a");
            b.Node("Transpose", ["a"], "y", Ints("perm", 0, 3, 1, 2));
        }),
        ["layer norm decomposed over the channels of NCHW"] = () => Single(13, [1, 5, 2, 3], b =>
        {
            b.Node("ReduceMean", ["x"], "mean", Ints("axes", 1));
            b.Node("Sub", ["x", "mean"], "d");
            b.Node("Pow", ["d", b.Scalar("two", 2)], "sq");
            b.Node("ReduceMean", ["sq"], "var", Ints("axes", 1));
            b.Node("Add", ["var", b.Scalar("eps", 1e-5f)], "ve");
            b.Node("Sqrt", ["ve"], "sd");
            b.Node("Div", ["d", "sd"], "y");
        }),
        ["leaky relu default slope"] = () => Single(13, [1, 3, 4, 4], b => b.Node("LeakyRelu", ["x"], "y")),
        ["leaky relu slope 0.2"] = () => Single(13, [1, 3, 4, 4], b => b.Node("LeakyRelu", ["x"], "y", Float("alpha", 0.2f))),
        ["tanh"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Tanh", ["x"], "y")),
        ["exp"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Exp", ["x"], "y")),
        ["neg"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Neg", ["x"], "y")),
        ["sqrt of a relu"] = () => Single(13, [1, 3, 4, 4], b =>
        {
            b.Node("Relu", ["x"], "r");
            b.Node("Sqrt", ["r"], "y");
        }),
        ["erf"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Erf", ["x"], "y")),
        ["sub of a constant"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Sub", ["x", b.Scalar("c", 0.25f)], "y")),
        ["constant minus a value, per channel"] = () => Single(13, [1, 3, 4, 4], b => b.Node("Sub", [b.Weights("c", [3, 1, 1]), "x"], "y")),
        ["div by a constant after a conv, folded"] = () => Single(13, [1, 2, 5, 5], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 2, 3, 3]), b.Weights("cb", [3])], "c");
            b.Node("Div", ["c", b.Scalar("three", 3f)], "y");
        }),
        ["global max pool"] = () => Single(13, [1, 3, 5, 4], b => b.Node("GlobalMaxPool", ["x"], "y")),
        ["squeeze of a pooled value, axes as input"] = () => Single(13, [1, 3, 4, 4], b =>
        {
            b.Node("GlobalAveragePool", ["x"], "g");
            b.Node("Squeeze", ["g", b.Int64s("axes", 3, -2)], "y");
        }),
        ["squeeze without axes, opset 11"] = () => Single(11, [1, 3, 1, 4], b => b.Node("Squeeze", ["x"], "y")),
        ["unsqueeze opset 11 attribute then gemm"] = () => Single(11, [1, 6], b =>
        {
            b.Node("Unsqueeze", ["x"], "u", Ints("axes", 2, -1));
            b.Node("Flatten", ["u"], "f", Int("axis", 1));
            b.Node("Gemm", ["f", b.Weights("w", [4, 6])], "y", Int("transB", 1));
        }),
        ["pad reflect"] = () => Single(13, [1, 2, 4, 5], b => b.Node("Pad", ["x", b.Int64s("pads", 0, 0, 3, 1, 0, 0, 2, 4)], "y", String("mode", "reflect"))),
        ["pad edge"] = () => Single(13, [1, 2, 3, 3], b => b.Node("Pad", ["x", b.Int64s("pads", 0, 0, 2, 0, 0, 0, 1, 3)], "y", String("mode", "edge"))),
        ["pad constant value, opset 9"] = () => Single(9, [1, 2, 3, 3], b => b.Node("Pad", ["x"], "y", Ints("pads", 0, 0, 1, 1, 0, 0, 2, 0), Float("value", -0.75f))),
        ["zero pad before a relu, not absorbed"] = () => Single(13, [1, 2, 3, 3], b =>
        {
            b.Node("Pad", ["x", b.Int64s("pads", 0, 0, 1, 1, 0, 0, 1, 1)], "p");
            b.Node("Relu", ["p"], "y");
        }),
        ["reduce mean over the channels, keepdims"] = () => Single(13, [1, 4, 3, 3], b => b.Node("ReduceMean", ["x"], "y", Ints("axes", 1))),
        ["reduce mean over the last two axes of 3-D, no keepdims"] = () => Single(11, [2, 3, 4], b => b.Node("ReduceMean", ["x"], "y", Ints("axes", -1, 1), Int("keepdims", 0))),
        ["reduce sum opset 13, axes as input"] = () => Single(13, [1, 4, 3, 5], b => b.Node("ReduceSum", ["x", b.Int64s("axes", 3)], "y")),
        ["reduce sum opset 11 over channels and rows, no keepdims"] = () => Single(11, [1, 3, 4, 2], b => b.Node("ReduceSum", ["x"], "y", Ints("axes", 1, 2), Int("keepdims", 0))),
        ["residual add"] = () => Single(13, [1, 3, 5, 5], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 3, 3, 3])], "c", Ints("pads", 1, 1, 1, 1));
            b.Node("Add", ["c", "x"], "y");
        }),
        ["sub of the mean over H, broadcast down the rows"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("ReduceMean", ["x"], "m", Ints("axes", 2));
            b.Node("Sub", ["x", "m"], "y");
        }),
        ["div by a per-row gate"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("ReduceSum", ["x", b.Int64s("axes", 3)], "s");
            b.Node("Sigmoid", ["s"], "g");
            b.Node("Div", ["x", "g"], "y");
        }),
        ["pow of a positive base by a broadcast exponent"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("Sigmoid", ["x"], "base");
            b.Node("ReduceMean", ["x"], "e", Ints("axes", 1));
            b.Node("Pow", ["base", "e"], "y");
        }),
        ["add of a column and a row: the outer sum"] = () => Single(11, [1, 3, 4, 5], b =>
        {
            b.Node("ReduceMean", ["x"], "rows", Ints("axes", 2));
            b.Node("ReduceMean", ["x"], "columns", Ints("axes", 3));
            b.Node("Add", ["columns", "rows"], "y");
        }),
        ["mul of 4-D by 3-D, aligned at the last axes"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("ReduceMean", ["x"], "m", Ints("axes", 1), Int("keepdims", 0));
            b.Node("Mul", ["m", "x"], "y");
        }),
        ["transpose to channels-last and back through a relu"] = () => Single(13, [1, 3, 4, 5], b =>
        {
            b.Node("Transpose", ["x"], "t", Ints("perm", 0, 2, 3, 1));
            b.Node("Relu", ["t"], "r");
            b.Node("Transpose", ["r"], "y", Ints("perm", 0, 3, 1, 2));
        }),
        ["transpose of H and W"] = () => Single(13, [1, 3, 4, 5], b => b.Node("Transpose", ["x"], "y", Ints("perm", 0, 1, 3, 2))),
        ["transpose by default reverses the axes"] = () => Single(11, [2, 3, 4], b => b.Node("Transpose", ["x"], "y")),
        ["matmul of two computed values, as attention's scores"] = () => Single(13, [1, 4, 6], b =>
        {
            b.Node("Transpose", ["x"], "t", Ints("perm", 0, 2, 1));
            b.Node("MatMul", ["t", "x"], "s");
            b.Node("Softmax", ["s"], "y", Int("axis", -1));
        }),
        ["matmul broadcasting its leading axes, 4-D by 3-D"] = () => Single(13, [2, 3, 4, 5], b =>
        {
            b.Node("ReduceMean", ["x"], "m", Ints("axes", 0), Int("keepdims", 0));
            b.Node("Transpose", ["m"], "t", Ints("perm", 0, 2, 1));
            b.Node("MatMul", ["x", "t"], "y");
        }),
        ["concat channels"] = () => Single(13, [1, 2, 4, 4], b =>
        {
            b.Node("Conv", ["x", b.Weights("w", [3, 2, 1, 1])], "c");
            b.Node("Concat", ["x", "c", "x"], "y", Int("axis", 1));
        }),
        ["concat negative axis"] = () => Single(13, [1, 2, 3, 4], b => b.Node("Concat", ["x", "x"], "y", Int("axis", -1))),
        ["flatten axis 2"] = () => Single(13, [1, 2, 3, 4], b => b.Node("Flatten", ["x"], "y", Int("axis", 2))),
        ["reshape with 0 and -1"] = () => Single(13, [1, 2, 3, 4], b => b.Node("Reshape", ["x", b.Int64s("shape", 0, -1, 4)], "y")),
        ["reshape through Constant"] = () => Single(13, [1, 2, 3, 4], b =>
        {
            var shape = new Sparsify.Core.Onnx.Protos.TensorProto { DataType = 7, Dims = { 2 }, Int64Data = { 1, 24 } };
            b.Node("Constant", [], "s", new Sparsify.Core.Onnx.Protos.AttributeProto { Name = "value", Type = Sparsify.Core.Onnx.Protos.AttributeProto.Types.AttributeType.Tensor, T = shape });
            b.Node("Reshape", ["x", "s"], "y");
        }),
        ["softmax opset 13 axis 1 of 4-D"] = () => Single(13, [1, 3, 2, 2], b => b.Node("Softmax", ["x"], "y", Int("axis", 1))),
        ["softmax opset 11 coerces to 2-D"] = () => Single(11, [1, 3, 2, 2], b => b.Node("Softmax", ["x"], "y", Int("axis", 1))),
        ["softmax default axis"] = () => Single(13, [2, 10], b => b.Node("Softmax", ["x"], "y")),
        ["dropout and identity removed"] = () => Single(12, [1, 4], b =>
        {
            b.Node("Dropout", ["x"], "d");
            b.Node("Identity", ["d"], "i");
            b.Node("Relu", ["i"], "y");
        }),
        ["dropout opset 7 ratio"] = () => Single(7, [1, 4], b =>
        {
            b.Node("Dropout", ["x"], "d", Float("ratio", 0.3f));
            b.Node("Relu", ["d"], "y");
        }),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void OperatorMatchesOnnxRuntime(string name)
    {
        var bytes = Cases[name]().Bytes();
        var graph = OnnxModel.Load(bytes);
        var input = TestData.SeededInput(graph.Inputs[0].Shape, seed: name.Length);

        var expected = OnnxRuntimeOracle.Run(bytes, input);
        var actual = new ReferenceExecutor(graph).Run([input])[0];

        AssertTensor.Close(expected, actual.Data, 1e-5, name);
    }

    [TestMethod]
    public void FoldingIsReportedInTheNotes()
    {
        var graph = OnnxModel.Load(Cases["conv + batchnorm folded"]().Bytes());

        Assert.HasCount(1, graph.Layers);
        Assert.IsTrue(graph.Notes.Any(n => n.Contains("BatchNormalization", StringComparison.Ordinal) && n.Contains("folded into Conv", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    public void DropoutAndIdentityLeaveNoLayer()
    {
        var graph = OnnxModel.Load(Cases["dropout and identity removed"]().Bytes());

        CollectionAssert.AreEqual(new[] { "Relu" }, graph.Layers.Select(l => l.OpType).ToArray());
    }

    private static OnnxProtoBuilder Single(int opset, long[] inputDims, Action<OnnxProtoBuilder> body)
    {
        var builder = new OnnxProtoBuilder(opset).Input("x", inputDims);
        body(builder);
        return builder.Output("y");
    }
}
