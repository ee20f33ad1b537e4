using Sparsify.Core.Compilation;
using Sparsify.Core.Onnx;
using Sparsify.Core.Onnx.Protos;
using Sparsify.Core.Tests.Support;
using Sparsify.Runtime.Blob;
using static Sparsify.Core.Tests.Support.OnnxProtoBuilder;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// Sizes a model declares or implies past what fits (an int, a tensor, the model) are the model's
/// error naming the file, the node and the limit, found before anything is allocated; never an
/// OverflowException or an OutOfMemoryException.
/// </summary>
[TestClass]
public sealed class LimitTests
{
    private const long HugePad = 1L << 30;

    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = TestData.TempDirectory();

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    [DataRow("Conv")]
    [DataRow("MaxPool")]
    [DataRow("AveragePool")]
    public void PadsWhoseOutputExtentPassesAnInt(string op)
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 1, 28, 28);
        string[] inputs = op == "Conv" ? ["x", model.Weights("w", [2, 1, 5, 5])] : ["x"];
        model.Node(op, inputs, "y", Ints("kernel_shape", 5, 5), Ints("pads", HugePad, HugePad, HugePad, HugePad)).Name = "padded";
        var e = LoadFails("pads.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, $"node 'padded' ({op})");
        StringAssert.Contains(e.Message, "input extent 28 with pads 1073741824+1073741824, window extent 5 and stride 1 gives an output extent of 2,147,483,672, more than the largest dimension, 2,147,483,647");
    }

    [TestMethod]
    public void PadsWhoseOutputPassesTheTensorLimit()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 1, 28, 28);
        model.Node("Conv", ["x", model.Weights("w", [2, 1, 5, 5])], "y", Ints("pads", 1 << 16, 1 << 16, 1 << 16, 1 << 16)).Name = "wide";
        var e = LoadFails("wide.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'wide' (Conv): shape 1x2x131096x131096 holds 34,372,322,432 elements (137,489,289,728 bytes as float32), more than the limit of 2,147,483,647 bytes per tensor");
    }

    [TestMethod]
    public void SamePaddingWithAHugeDilation()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 1, 28, 28);
        model.Node("Conv", ["x", model.Weights("w", [2, 1, 5, 5])], "y", String("auto_pad", "SAME_UPPER"), Ints("dilations", int.MaxValue, 1)).Name = "dilated";
        var e = LoadFails("same.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'dilated' (Conv): auto_pad SAME over input extent 28 with kernel 5, stride 1 and dilation 2147483647 needs padding 8,589,934,588");
    }

    [TestMethod]
    public void ConcatWhoseJoinedAxisPassesAnInt()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, ModelLimits.MaxTensorElements);
        model.Node("Concat", ["x", "x", "x", "x", "x"], "y", Int("axis", 1)).Name = "joined";
        var e = LoadFails("concat.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'joined' (Concat): the inputs joined along axis 1 have extent 2,684,354,555, more than the largest dimension");
    }

    [TestMethod]
    public void ReshapeWhoseTargetProductPassesALong()
    {
        // 65536^4 = 2^64 wrapped to 0 in plain long arithmetic.
        var model = new OnnxProtoBuilder().Input("x", 1, 6);
        model.Node("Reshape", ["x", model.Int64s("shape", 65536, 65536, 65536, 65536)], "y").Name = "reshaped";
        var e = LoadFails("reshape.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'reshaped' (Reshape): cannot reshape 1x6 (6 values) to [65536,65536,65536,65536] (more than 9,223,372,036,854,775,806 values)");
    }

    [TestMethod]
    public void InputShapePastTheTensorLimit()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 65536, 65536);
        model.Node("Relu", ["x"], "y");
        StringAssert.Contains(LoadFails("input.onnx", model.Output("y").Bytes()).Message, "input 'x': shape 1x3x65536x65536 holds 12,884,901,888 elements");
    }

    [TestMethod]
    public void TwoGigabyteExternalTensorIsRefusedBeforeItIsRead()
    {
        // 2^29 floats: 2^31 bytes, one past the limit. The file is sparse: its size costs no disk.
        var model = new OnnxProtoBuilder().Input("x", 1, 1, 4, 4);
        model.Node("Conv", ["x", "w"], "y").Name = "conv_w";
        model.Graph.Initializer.Add(External("w", [1L << 29, 1, 1, 1], "big.bin"));
        SparseFile("big.bin", 1L << 31);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadFails("big.onnx", model.Output("y").Bytes());
        Assert.IsLessThan(64L << 20, GC.GetAllocatedBytesForCurrentThread() - allocated, "nothing near the tensor's size is allocated");
        StringAssert.Contains(e.Message, "node 'conv_w' (Conv): tensor 'w' with dims [536870912,1,1,1] holds 536,870,912 elements (2,147,483,648 bytes as FLOAT), more than the limit of 2,147,483,647 bytes per tensor");
    }

    [TestMethod]
    public void WeightsPastTheModelLimitAreRefusedBeforeAnyIsRead()
    {
        // Three tensors of 1.5 GiB each: each within the tensor limit, 4.5 GiB in all.
        var model = new OnnxProtoBuilder().Input("x", 1, 1, 4, 4);
        var previous = "x";
        for (var i = 0; i < 3; i++)
        {
            model.Node("Conv", [previous, $"w{i}"], $"c{i}");
            model.Graph.Initializer.Add(External($"w{i}", [3L << 27, 1, 1, 1], $"w{i}.bin"));
            SparseFile($"w{i}.bin", 3L << 29);
            previous = $"c{i}";
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadFails("total.onnx", model.Output(previous).Bytes());
        Assert.IsLessThan(64L << 20, GC.GetAllocatedBytesForCurrentThread() - allocated);
        StringAssert.Contains(e.Message, "the initializers and constants hold 4,831,838,208 bytes in all, more than the limit of 4,294,967,296 bytes per model");
    }

    [TestMethod]
    public void ExternalDataOffsetNearTheEndOfALong()
    {
        File.WriteAllBytes(Path.Combine(_directory, "w.bin"), new byte[24]);
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 4, 4);
        model.Node("Conv", ["x", "w"], "y");
        var tensor = External("w", [2, 3, 1, 1], "w.bin");
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = (long.MaxValue - 8).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        model.Graph.Initializer.Add(tensor);
        StringAssert.Contains(LoadFails("offset.onnx", model.Output("y").Bytes()).Message, "external data 'w.bin' has 24 bytes, too few for 24 bytes at offset 9223372036854775799");
    }

    [TestMethod]
    public void ModelFilePastProtobufsLimit()
    {
        var path = SparseFile("huge.onnx", 1L << 31);
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(path));
        Assert.AreEqual($"{path}: the file has 2,147,483,648 bytes, more than the limit of 2,147,483,647 bytes for one ONNX file (protobuf's limit); keep large weights in external data files", e.Message);
    }

    [TestMethod]
    public void LayerNameTooLongForTheWeightBlob()
    {
        var writer = new WeightBlobWriter();
        writer.AddFloats(new string('n', 70_000), BlobArrayKind.Weights, [1f]);
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => writer.Build());
        StringAssert.Contains(e.Message, "the layer name takes 70,000 bytes in UTF-8, more than the weight blob's limit of 65,535 bytes");
    }

    [TestMethod]
    public void ExtremeSizesAnywhereGiveOnlyTheProjectsError()
    {
        // Attributes, input dims and tensor dims of a real model set to values at the edges of int and long.
        long[] extremes = [0, -1, 2, 1L << 16, 1L << 30, int.MaxValue, int.MaxValue + 1L, long.MaxValue, long.MinValue];
        var model = OnnxExporter.Export(Sparsify.Training.Models.ModelBuilders.LeNet5());
        var random = new Random(5);
        for (var trial = 0; trial < 300; trial++)
        {
            var proto = model.Clone();
            var node = proto.Graph.Node[random.Next(proto.Graph.Node.Count)];
            var value = extremes[random.Next(extremes.Length)];
            switch (random.Next(3))
            {
                case 0 when node.Attribute.Count > 0:
                    var a = node.Attribute[random.Next(node.Attribute.Count)];
                    if (a.Ints.Count > 0)
                    {
                        a.Ints[random.Next(a.Ints.Count)] = value;
                    }
                    else
                    {
                        a.I = value;
                    }

                    break;
                case 1:
                    var dims = proto.Graph.Input[0].Type.TensorType.Shape.Dim;
                    dims[random.Next(dims.Count)].DimValue = value;
                    break;
                default:
                    var tensor = proto.Graph.Initializer[random.Next(proto.Graph.Initializer.Count)];
                    tensor.Dims[random.Next(tensor.Dims.Count)] = value;
                    break;
            }

            try
            {
                var graph = OnnxModel.Load(Google.Protobuf.MessageExtensions.ToByteArray(proto), nameForMessages: "extreme.onnx");
                _ = graph.MacCount + graph.ParameterCount;
            }
            catch (SparsifyModelException e)
            {
                StringAssert.StartsWith(e.Message, "extreme.onnx: ");
            }
        }
    }

    [TestMethod]
    public void SizeMathSaturatesInsteadOfWrapping()
    {
        Assert.AreEqual(long.MaxValue, SizeMath.Multiply(1L << 32, 1L << 32));
        Assert.AreEqual(long.MaxValue, SizeMath.Add(long.MaxValue - 1, 2));
        Assert.AreEqual(long.MaxValue, SizeMath.Product([int.MaxValue, int.MaxValue, int.MaxValue]));
        Assert.AreEqual(6L, SizeMath.Product([1, 2, 3]));
        Assert.AreEqual(0L, SizeMath.Product([0L, long.MaxValue, long.MaxValue]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SizeMath.Multiply(-1, 2));
    }

    private static TensorProto External(string name, long[] dims, string location)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        return tensor;
    }

    private string SparseFile(string name, long length)
    {
        var path = Path.Combine(_directory, name);
        using var file = new FileStream(path, FileMode.CreateNew);
        file.SetLength(length);
        return path;
    }

    private SparsifyModelException LoadFails(string fileName, byte[] bytes)
    {
        var path = Path.Combine(_directory, fileName);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(path));
        StringAssert.StartsWith(e.Message, path + ": ");
        return e;
    }
}
