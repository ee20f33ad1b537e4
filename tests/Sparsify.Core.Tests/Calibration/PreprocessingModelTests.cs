using Sparsify.Core.Calibration;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Calibration;

[TestClass]
public sealed class PreprocessingModelTests
{
    private string _dir = null!;

    [TestInitialize]
    public void CreateFolder() => _dir = TestData.TempDirectory();

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void SplitConcatSubWithTheSplitAttribute()
    {
        var b = new OnnxProtoBuilder(opset: 11).Input("X", 1, 3, 2, 2).Output("Y");
        var split = b.Node("Split", ["X"], "R", OnnxProtoBuilder.Int("axis", 1), OnnxProtoBuilder.Ints("split", 1, 1, 1));
        split.Output.Add("G");
        split.Output.Add("B");
        b.Node("Concat", ["B", "G", "R"], "BGR", OnnxProtoBuilder.Int("axis", 1));
        var mean = Enumerable.Range(0, 12).Select(i => i * 1.5f).ToArray();
        b.Weights("M", [3, 2, 2], mean);
        b.Node("Sub", ["BGR", "M"], "Y");
        var model = PreprocessingModel.Load(Save(b));
        Assert.AreEqual(("X", "Y"), (model.InputName, model.OutputName));

        var x = TestData.SeededInput(new Shape(1, 3, 2, 2), 1);
        var y = model.Run(x);
        Assert.AreEqual(x.Shape, y.Shape);
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.AreEqual(x.Data[((2 - c) * 4) + i] - mean[(c * 4) + i], y.Data[(c * 4) + i]);
            }
        }
    }

    [TestMethod]
    public void SplitSizesAsAnInputAndBroadcastArithmetic()
    {
        var b = new OnnxProtoBuilder(opset: 13).Input("X", 1, 3, 2, 2).Output("Y");
        b.Int64s("sizes", 2, 1);
        var split = b.Node("Split", ["X", "sizes"], "RG", OnnxProtoBuilder.Int("axis", -3));
        split.Output.Add("B");
        b.Node("Concat", ["B", "RG"], "BRG", OnnxProtoBuilder.Int("axis", 1));
        var constant = b.Node("Constant", [], "two");
        constant.Attribute.Add(new Sparsify.Core.Onnx.Protos.AttributeProto
        {
            Name = "value",
            Type = Sparsify.Core.Onnx.Protos.AttributeProto.Types.AttributeType.Tensor,
            T = new Sparsify.Core.Onnx.Protos.TensorProto { Name = "two", DataType = (int)Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType.Float, FloatData = { 2f } },
        });
        b.Node("Mul", ["BRG", "two"], "scaled");
        b.Weights("std", [3, 1, 1], [4, 8, 16]);
        b.Node("Div", ["scaled", "std"], "divided");
        b.Weights("row", [2], [100, 200]);
        b.Node("Add", ["divided", "row"], "added");
        b.Node("Identity", ["added"], "Y");
        var model = PreprocessingModel.Load(Save(b));

        var x = TestData.SeededInput(new Shape(1, 3, 2, 2), 2);
        var y = model.Run(x);
        float[] std = [4, 8, 16];
        int[] source = [2, 0, 1];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 4; i++)
            {
                var expected = (x.Data[(source[c] * 4) + i] * 2f / std[c]) + (i % 2 == 0 ? 100f : 200f);
                Assert.AreEqual(expected, y.Data[(c * 4) + i]);
            }
        }
    }

    [TestMethod]
    public void AnUnsupportedOperatorNamesTheNode()
    {
        var b = new OnnxProtoBuilder().Input("X", 1, 3, 2, 2).Output("Y");
        b.Node("Relu", ["X"], "Y");
        var path = Save(b);
        CalibrationFixtures.Fails(() => PreprocessingModel.Load(path)).AssertNames(path, CalibrationSettings.MeanImage, "node 'Relu_0' (Relu): the operator is not supported");
    }

    [TestMethod]
    public void OperandsThatDoNotFitNameTheNode()
    {
        var b = new OnnxProtoBuilder().Input("X", 1, 3, 2, 2).Output("Y");
        b.Weights("W", [5]);
        b.Node("Add", ["X", "W"], "Y");
        var path = Save(b);
        var model = PreprocessingModel.Load(path);
        CalibrationFixtures.Fails(() => model.Run(new Tensor(new Shape(1, 3, 2, 2))))
            .AssertNames(path, CalibrationSettings.MeanImage, "node 'Add_0' (Add): shapes 1x3x2x2 and 5 do not broadcast");

        var split = new OnnxProtoBuilder().Input("X", 1, 3, 2, 2).Output("Y");
        var node = split.Node("Split", ["X"], "Y", OnnxProtoBuilder.Int("axis", 1));
        node.Output.Add("Z");
        CalibrationFixtures.Fails(() => PreprocessingModel.Load(Save(split)).Run(new Tensor(new Shape(1, 3, 2, 2)))).AssertNames(Path.Combine(_dir, "model.onnx"), CalibrationSettings.MeanImage, "3 is not divisible by 2");
    }

    [TestMethod]
    public void AnOutputOfTheWrongShapeIsRefusedBeforeAnyImage()
    {
        var b = new OnnxProtoBuilder().Input("X", 1, 3, 4, 4).Output("Y");
        var split = b.Node("Split", ["X"], "Y", OnnxProtoBuilder.Int("axis", 1), OnnxProtoBuilder.Ints("split", 2, 1));
        split.Output.Add("rest");
        var path = Save(b);
        var preprocessing = new ImagePreprocessing { MeanImage = path, ResizeShortSide = 4 };
        CalibrationFixtures.Fails(() => CalibrationSet.Load([CalibrationFixtures.File("known.png")], new Shape(1, 3, 4, 4), preprocessing))
            .AssertNames(path, CalibrationSettings.MeanImage, "turns the 1x3x4x4 crop into 1x2x4x4, but the model input is 1x3x4x4");
    }

    [TestMethod]
    public void AFileThatIsNoModelIsAnError()
    {
        var path = Path.Combine(_dir, "junk.onnx");
        File.WriteAllBytes(path, [1, 2, 3]);
        CalibrationFixtures.Fails(() => PreprocessingModel.Load(path)).AssertNames(path, CalibrationSettings.MeanImage, "ONNX");
    }

    [TestMethod]
    [TestCategory("RealModel")]
    public void ResNetPreprocessIsBgrMinusItsMeanImage()
    {
        var path = CalibrationFixtures.ResNetPreprocess();
        var model = PreprocessingModel.Load(path);
        var proto = OnnxModelFile.Read(path);
        var meanImage = new OnnxTensorReader(path).ReadFloat(proto.Graph.Initializer.Single(i => i.Name == "MeanImage"));
        Assert.AreEqual(new Shape(1, 3, 224, 224).ElementCount, meanImage.Length);

        var random = new Random(5);
        var rgb = new Tensor(new Shape(1, 3, 224, 224), Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.Next(256)).ToArray());
        var output = model.Run(rgb);
        Assert.AreEqual(rgb.Shape, output.Shape);
        const int plane = 224 * 224;
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                Assert.AreEqual(rgb.Data[((2 - c) * plane) + i] - meanImage.Data[(c * plane) + i], output.Data[(c * plane) + i]);
            }
        }
    }

    private string Save(OnnxProtoBuilder builder)
    {
        var path = Path.Combine(_dir, "model.onnx");
        File.WriteAllBytes(path, builder.Bytes());
        return path;
    }
}
