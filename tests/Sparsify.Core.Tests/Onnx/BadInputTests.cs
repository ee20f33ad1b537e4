using Google.Protobuf;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Onnx.Protos;
using Sparsify.Core.Tests.Support;
using static Sparsify.Core.Tests.Support.OnnxProtoBuilder;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// A malformed model gives one exception type whose message names the file, the node and the
/// problem; never an IndexOutOfRange, a NullReference or a hang.
/// </summary>
[TestClass]
public sealed class BadInputTests
{
    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = TestData.TempDirectory();

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void TruncatedFile()
    {
        var bytes = OnnxModel.ToBytes(ModelBuilders.LeNet5());
        var e = LoadFails("truncated.onnx", bytes[..(bytes.Length / 2)]);
        StringAssert.Contains(e.Message, "truncated or corrupt");
    }

    [TestMethod]
    public void RandomBytes()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        LoadFails("random.onnx", bytes);
    }

    [TestMethod]
    public void EmptyFile() => StringAssert.Contains(LoadFails("empty.onnx", []).Message, "empty");

    [TestMethod]
    public void ValidProtobufThatIsNotAModel()
    {
        var notAModel = new OperatorSetIdProto { Domain = "this is not a model", Version = 3 }.ToByteArray();
        StringAssert.Contains(LoadFails("opset.onnx", notAModel).Message, "not an ONNX model");
    }

    [TestMethod]
    public void MissingFile()
    {
        var path = Path.Combine(_directory, "absent.onnx");
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(path));
        StringAssert.StartsWith(e.Message, path);
    }

    [TestMethod]
    public void UnsupportedOperatorListsTheSupportedOnes()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Sin", ["x"], "y").Name = "my_sine";
        var e = LoadFails("sin.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'my_sine' (Sin)");
        StringAssert.Contains(e.Message, "operator 'Sin' is not supported");
        foreach (var op in OnnxModel.SupportedOperators)
        {
            StringAssert.Contains(e.Message, op);
        }
    }

    [TestMethod]
    public void MismatchedShapes()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", model.Weights("w", [8, 4, 3, 3])], "y").Name = "conv_a";
        var e = LoadFails("shapes.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'conv_a' (Conv)");
        StringAssert.Contains(e.Message, "input has 3 channels");
    }

    [TestMethod]
    public void AnAddOfShapesThatDoNotBroadcast()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", model.Weights("w", [4, 3, 1, 1])], "c");
        model.Node("Add", ["c", "x"], "y").Name = "plus";
        var e = LoadFails("add.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'plus' (Add)");
        StringAssert.Contains(e.Message, "operands of shapes 1x4x8x8 and 1x3x8x8 do not broadcast");
    }

    [TestMethod]
    [DataRow("step", "only step 1")]
    [DataRow("two axes", "only of one axis")]
    [DataRow("empty", "is empty")]
    [DataRow("split sizes", "sum to the axis length 6")]
    [DataRow("uneven split", "does not split into 4 equal parts")]
    [DataRow("batchnorm channels", "scale has 3 values for 6 channels")]
    [DataRow("transpose", "perm [0,2,2,1] is not a permutation of the 4 axes of 1x6x4x4")]
    [DataRow("squeeze", "drops an axis whose length is not 1")]
    [DataRow("negative pad", "negative pads [0,0,-1,0,0,0,0,0] (a crop) are not supported")]
    [DataRow("channel pad", "pad more than H and W")]
    [DataRow("long reflect", "a reflect Pad needs pads shorter than the side")]
    [DataRow("pad mode", "Pad mode 'wrap' is not one of constant, reflect, edge")]
    [DataRow("reduce apart", "only over adjacent axes")]
    [DataRow("sub", "operands of shapes 1x6x4x4 and 1x6x4 do not broadcast")]
    [DataRow("matmul", "operands of shapes 1x6x4x4 and 1x6x4 cannot be multiplied")]
    [DataRow("pow", "a Pow with a constant operand is supported only inside a LayerNorm's decomposition")]
    public void ABadSliceSplitNormOrTransposeNamesTheNodeAndTheReason(string variant, string reason)
    {
        var model = new OnnxProtoBuilder(13).Input("x", 1, 6, 4, 4);
        var node = variant switch
        {
            "step" => model.Node("Slice", ["x", model.Int64s("s", 0), model.Int64s("e", 4), model.Int64s("a", 1), model.Int64s("st", 2)], "y"),
            "two axes" => model.Node("Slice", ["x", model.Int64s("s", 1, 1), model.Int64s("e", 3, 3), model.Int64s("a", 1, 2)], "y"),
            "empty" => model.Node("Slice", ["x", model.Int64s("s", 4), model.Int64s("e", 2), model.Int64s("a", 1)], "y"),
            "split sizes" => model.Node("Split", ["x", model.Int64s("sizes", 2, 2)], ["y", "z"], Int("axis", 1)),
            "uneven split" => model.Node("Split", ["x"], ["y", "z", "u", "v"], Int("axis", 1)),
            "batchnorm channels" => model.Node("BatchNormalization", ["x", model.Weights("sc", [3]), model.Weights("b", [3]), model.Weights("m", [3]), model.Weights("v", [3])], "y"),
            "squeeze" => model.Node("Squeeze", ["x", model.Int64s("ax", 1)], "y"),
            "negative pad" => model.Node("Pad", ["x", model.Int64s("p", 0, 0, -1, 0, 0, 0, 0, 0)], "y"),
            "channel pad" => model.Node("Pad", ["x", model.Int64s("p", 0, 1, 0, 0, 0, 0, 0, 0)], "y"),
            "long reflect" => model.Node("Pad", ["x", model.Int64s("p", 0, 0, 4, 0, 0, 0, 0, 0)], "y", String("mode", "reflect")),
            "reduce apart" => model.Node("ReduceMean", ["x"], "y", Ints("axes", 1, 3)),
            "pad mode" => model.Node("Pad", ["x", model.Int64s("p", 0, 0, 1, 0, 0, 0, 0, 0)], "y", String("mode", "wrap")),
            "sub" => model.Node("Sub", ["x", model.Node("ReduceMean", ["x"], "m", Ints("axes", 3), Int("keepdims", 0)).Output[0]], "y"),
            "pow" => model.Node("Pow", ["x", model.Weights("e", [1])], "y"),
            "matmul" => model.Node("MatMul", ["x", model.Node("ReduceMean", ["x"], "m", Ints("axes", 3), Int("keepdims", 0)).Output[0]], "y"),
            _ => model.Node("Transpose", ["x"], "y", Ints("perm", 0, 2, 2, 1)),
        };
        node.Name = "bad";
        var e = LoadFails("bad.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, $"node 'bad' ({node.OpType})");
        StringAssert.Contains(e.Message, reason);
    }

    [TestMethod]
    public void TensorDataLengthDisagreesWithDims()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", model.Weights("w", [2, 3, 1, 1])], "y").Name = "conv_b";
        model.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[20]);
        var e = LoadFails("length.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'conv_b' (Conv)");
        StringAssert.Contains(e.Message, "tensor 'w' has 20 bytes of raw_data but its dims [2,3,1,1] need 24");
    }

    [TestMethod]
    public void TypedDataLengthDisagreesWithDims()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", "w"], "y");
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = 1, Dims = { 2, 3, 1, 1 }, FloatData = { 1, 2, 3 } });
        StringAssert.Contains(LoadFails("typed.onnx", model.Output("y").Bytes()).Message, "has 3 values in float_data but its dims [2,3,1,1] need 6");
    }

    [TestMethod]
    public void DimsWhoseProductOverflows()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", "w"], "y");
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = 1, Dims = { 1L << 31, 1L << 31, 1L << 31, 1L << 31 } });
        StringAssert.Contains(LoadFails("overflow.onnx", model.Output("y").Bytes()).Message, "invalid dimension");

        model.Graph.Initializer[0].Dims.Clear();
        model.Graph.Initializer[0].Dims.AddRange([1L << 20, 1L << 20, 1L << 20, 3]);
        StringAssert.Contains(
            LoadFails("overflow2.onnx", model.Output("y").Bytes()).Message,
            "tensor 'w' with dims [1048576,1048576,1048576,3] holds 3,458,764,513,820,540,928 elements (more than 9,223,372,036,854,775,806 bytes as FLOAT), more than the limit of 2,147,483,647 bytes per tensor");
    }

    [TestMethod]
    [DataRow("../outside.bin")]
    [DataRow("sub/../../outside.bin")]
    [DataRow("/etc/passwd")]
    public void ExternalDataOutsideTheModelFolderIsRefused(string location)
    {
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(_directory)!, "outside.bin"), new byte[24]);
        var model = ModelWithExternalWeights(location);
        var e = LoadFails("external.onnx", model);
        StringAssert.Contains(e.Message, "leaves the model's folder; refused");
    }

    [TestMethod]
    public void ExternalDataThroughALinkOutsideTheFolderIsRefused()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_directory)!, $"target-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(outside, new byte[24]);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_directory, "link.bin"), outside);
            StringAssert.Contains(LoadFails("linked.onnx", ModelWithExternalWeights("link.bin")).Message, "refused");
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [TestMethod]
    public void ExternalDataInsideTheFolderLoads()
    {
        var weights = TestData.SeededValues(6, 1);
        var blob = new byte[8 + 24];
        Buffer.BlockCopy(weights, 0, blob, 8, 24);
        File.WriteAllBytes(Path.Combine(_directory, "weights.bin"), blob);
        var path = Path.Combine(_directory, "good.onnx");
        File.WriteAllBytes(path, ModelWithExternalWeights("weights.bin", offset: 8));

        var graph = OnnxModel.Load(path);
        CollectionAssert.AreEqual(weights, ((Sparsify.Core.Ir.Layers.ConvLayer)graph.Layers[0]).Weights.Data);
    }

    [TestMethod]
    public void GraphWithACycle()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Add", ["x", "b"], "a").Name = "first";
        model.Node("Relu", ["a"], "b").Name = "second";
        model.Node("Relu", ["b"], "y");
        var e = LoadFails("cycle.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "cycle");
        StringAssert.Contains(e.Message, "node 'first' (Add)");
    }

    [TestMethod]
    public void MissingInitializer()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8);
        model.Node("Conv", ["x", "conv_weight"], "y").Name = "conv_c";
        var e = LoadFails("missing.onnx", model.Output("y").Bytes());
        StringAssert.Contains(e.Message, "node 'conv_c' (Conv)");
        StringAssert.Contains(e.Message, "input 'conv_weight' is missing");
    }

    [TestMethod]
    public void WeightsThatAreNotConstant()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 8, 8).Input("w", 2, 3, 1, 1);
        model.Node("Conv", ["x", "w"], "y").Name = "conv_d";
        StringAssert.Contains(LoadFails("input-weights.onnx", model.Output("y").Bytes()).Message, "weights (W) 'w' must be an initializer");
    }

    [TestMethod]
    [DataRow(6)]
    [DataRow(18)]
    public void OpsetOutOfRange(int opset)
    {
        var model = new OnnxProtoBuilder(opset).Input("x", 1, 4);
        model.Node("Relu", ["x"], "y");
        StringAssert.Contains(LoadFails("opset.onnx", model.Output("y").Bytes()).Message, $"opset {opset} is not supported; supported opsets are 7 to 17");
    }

    [TestMethod]
    public void SymbolicBatchBecomesOneAndOtherSymbolicDimsNeedAShape()
    {
        var model = new OnnxProtoBuilder().Input("x", ["N", 3L, "H", 8L]);
        model.Node("Relu", ["x"], "y");
        var bytes = model.Output("y").Bytes();
        StringAssert.Contains(LoadFails("symbolic.onnx", bytes).Message, "dimension 2 is symbolic ('H'); give an input shape");

        var graph = OnnxModel.Load(bytes, new OnnxImportOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [2, 3, 5, 8] } });
        Assert.AreEqual("2x3x5x8", graph.Inputs[0].Shape.ToString());

        var batchOnly = new OnnxProtoBuilder().Input("x", 0, 3);
        batchOnly.Node("Relu", ["x"], "y");
        var batchGraph = OnnxModel.Load(batchOnly.Output("y").Bytes());
        Assert.AreEqual("1x3", batchGraph.Inputs[0].Shape.ToString());
        Assert.IsTrue(batchGraph.Notes.Any(n => n.Contains("batch 1", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void InputShapeForAnUnknownInput()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Relu", ["x"], "y");
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(model.Output("y").Bytes(), new OnnxImportOptions { InputShapes = new Dictionary<string, int[]> { ["image"] = [1, 4] } }));
        StringAssert.Contains(e.Message, "the model's inputs are 'x'");
    }

    [TestMethod]
    public void AnyPrefixOrCorruptionOfARealModelGivesOnlyTheProjectsError()
    {
        var bytes = OnnxModel.ToBytes(ModelBuilders.LeNet5());
        var random = new Random(7);
        for (var trial = 0; trial < 300; trial++)
        {
            var mutated = trial % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (trial % 2 == 1)
            {
                for (var k = 0; k < 8; k++)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }
            }

            try
            {
                OnnxModel.Load(mutated, nameForMessages: "mutated.onnx");
            }
            catch (SparsifyModelException e)
            {
                StringAssert.StartsWith(e.Message, "mutated.onnx: ");
            }
        }
    }

    [TestMethod]
    public void DuplicateNodeNamesAreRefusedAsOnnxRuntimeDoes()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Relu", ["x"], "y").Name = "act";
        model.Node("Relu", ["y"], "z").Name = "act";
        StringAssert.Contains(LoadFails("twins.onnx", model.Output("z").Bytes()).Message, "two nodes are named 'act'; node names must be unique");

        // Unnamed nodes are fine: ONNX makes the name optional.
        var unnamed = new OnnxProtoBuilder().Input("x", 1, 4);
        unnamed.Node("Relu", ["x"], "y");
        unnamed.Node("Relu", ["y"], "z");
        Assert.HasCount(2, OnnxModel.Load(unnamed.Output("z").Bytes()).Layers);
    }

    [TestMethod]
    public void AnUnnamedNodeIsNamedAfterItsOutputUniquely()
    {
        // The second Relu is unnamed and writes a value called like the first node.
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Relu", ["x"], "y").Name = "act";
        model.Node("Relu", ["y"], "act").Name = string.Empty;
        var graph = OnnxModel.Load(model.Output("act").Bytes());
        CollectionAssert.AreEqual(new[] { "act", "act_2" }, graph.Layers.Select(l => l.Name).ToArray());
    }

    [TestMethod]
    public void AGraphWithTwoLayersOfOneNameIsRefused()
    {
        Sparsify.Core.Ir.Layer[] layers =
        [
            new Sparsify.Core.Ir.Layers.ReluLayer("act", "x", "y"),
            new Sparsify.Core.Ir.Layers.ReluLayer("act", "y", "z"),
        ];
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => Sparsify.Core.Ir.ModelGraph.Create("twins", [new Sparsify.Core.Ir.GraphValue("x", new Sparsify.Core.Ir.Shape(1, 4))], layers, ["z"]));
        StringAssert.Contains(e.Message, "two layers are named 'act'");
    }

    [TestMethod]
    public void AnExternalDataKeyGivenTwiceIsRefused()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 4, 4);
        model.Node("Conv", ["x", "w"], "y");
        var tensor = new TensorProto { Name = "w", DataType = 1, Dims = { 2, 3, 1, 1 }, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "v.bin" });
        model.Graph.Initializer.Add(tensor);
        StringAssert.Contains(LoadFails("twice-located.onnx", model.Output("y").Bytes()).Message, "gives its external data's 'location' 2 times");
    }

    [TestMethod]
    public void AnIrVersionNewerThanSupportedIsRefused()
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Relu", ["x"], "y");
        var proto = model.Output("y").Model();
        proto.IrVersion = 99;
        StringAssert.Contains(LoadFails("ir99.onnx", proto.ToByteArray()).Message, "IR version 99 is newer than the newest Sparsify reads (11)");
        proto.IrVersion = OnnxModel.MaxIrVersion;
        Assert.IsNotNull(OnnxModel.Load(proto.ToByteArray()));
    }

    [TestMethod]
    [DataRow("", "ai.onnx")]
    [DataRow("", "")]
    [DataRow("ai.onnx", "ai.onnx")]
    public void TheDefaultDomainImportedTwiceIsRefused(string first, string second)
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Node("Relu", ["x"], "y");
        var proto = model.Output("y").Model();
        proto.OpsetImport.Clear();
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = first, Version = 13 });
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = second, Version = 11 });
        StringAssert.Contains(LoadFails("twice.onnx", proto.ToByteArray()).Message, "imports the default domain (ai.onnx) 2 times (opsets 13, 11)");
    }

    [TestMethod]
    [DataRow(-5L)]
    [DataRow(-1L)]
    public void ANegativeInputDimensionIsNamedAsSuch(long dim)
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 4);
        model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = dim;
        model.Node("Relu", ["x"], "y");
        StringAssert.Contains(LoadFails("negative.onnx", model.Output("y").Bytes()).Message, $"input 'x' dimension 1 is {dim}; dimensions must be positive");
    }

    private SparsifyModelException LoadFails(string fileName, byte[] bytes)
    {
        var path = Path.Combine(_directory, fileName);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(path));
        StringAssert.StartsWith(e.Message, path + ": ");
        return e;
    }

    private static byte[] ModelWithExternalWeights(string location, long offset = 0)
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 4, 4);
        model.Node("Conv", ["x", "w"], "y");
        var tensor = new TensorProto { Name = "w", DataType = 1, Dims = { 2, 3, 1, 1 }, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "24" });
        model.Graph.Initializer.Add(tensor);
        return model.Output("y").Bytes();
    }
}
