using Sparsify.Core.IO;
using Sparsify.Core.Onnx;
using Sparsify.Core.Onnx.Protos;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// A model or its external data must be a regular file inside the model's folder: a FIFO (which
/// would block the reader forever), a device, a directory or a link leading out is refused at once.
/// </summary>
[TestClass]
public sealed class SpecialFileTests
{
    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = TestData.TempDirectory();

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void ModelThatIsAFifo()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_directory, "model.onnx"));
        var e = SpecialFiles.Throws<SparsifyModelException>(() => OnnxModel.Load(fifo), fifo);
        Assert.AreEqual($"{fifo}: the path is a named pipe (FIFO), not a regular file", e.Message);
    }

    [TestMethod]
    public void ExternalDataThatIsAFifo()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_directory, "weights.bin"));
        var e = LoadFails(ModelWithExternalWeights("weights.bin"), fifo);
        StringAssert.Contains(e.Message, "tensor 'w' has external data 'weights.bin', which is a named pipe (FIFO), not a regular file; refused");
    }

    [TestMethod]
    public void ExternalDataThatIsADirectory()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "weights"));
        StringAssert.Contains(LoadFails(ModelWithExternalWeights("weights")).Message, "external data 'weights', which is a directory, not a regular file; refused");
    }

    [TestMethod]
    public void ModelThatIsADirectory()
    {
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(_directory));
        Assert.AreEqual($"{_directory}: the path is a directory, not a regular file", e.Message);
    }

    [TestMethod]
    [DataRow("/dev/zero")]
    [DataRow("/dev/null")]
    public void ModelThatIsADevice(string device)
    {
        SkipWithout(device);
        var e = SpecialFiles.Throws<SparsifyModelException>(() => OnnxModel.Load(device));
        Assert.AreEqual($"{device}: the path is a character device, not a regular file", e.Message);
    }

    [TestMethod]
    public void ExternalDataLinkedToADevice()
    {
        SkipWithout("/dev/zero");
        File.CreateSymbolicLink(Path.Combine(_directory, "weights.bin"), "/dev/zero");
        StringAssert.Contains(LoadFails(ModelWithExternalWeights("weights.bin")).Message, "external data location 'weights.bin' leaves the model's folder; refused");
    }

    [TestMethod]
    public void FileKindsAreToldApartWithoutOpening()
    {
        SkipWithout("/dev/zero");
        var file = Path.Combine(_directory, "file.bin");
        File.WriteAllBytes(file, [1, 2, 3]);
        var fifo = SpecialFiles.Fifo(Path.Combine(_directory, "fifo"));
        var linkToFifo = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(linkToFifo, fifo);

        Assert.IsNull(RegularFile.NotRegular(file));
        Assert.IsNull(RegularFile.NotRegular(Path.Combine(_directory, "absent")));
        Assert.AreEqual("a named pipe (FIFO)", RegularFile.NotRegular(fifo));
        Assert.AreEqual("a named pipe (FIFO)", RegularFile.NotRegular(linkToFifo));
        Assert.AreEqual("a directory", RegularFile.NotRegular(_directory));
        Assert.AreEqual("a character device", RegularFile.NotRegular("/dev/zero"));
        Assert.AreEqual(fifo, RegularFile.Resolve(linkToFifo));
    }

    [TestMethod]
    public void ExternalDataThroughALinkedFolderOutsideIsRefused()
    {
        // Only a folder on the way is a link; the file itself is not.
        var outside = TestData.TempDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "weights.bin"), new byte[24]);
            Directory.CreateSymbolicLink(Path.Combine(_directory, "sub"), outside);
            StringAssert.Contains(LoadFails(ModelWithExternalWeights("sub/weights.bin")).Message, "leaves the model's folder; refused");
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [TestMethod]
    public void LinksThatStayInsideTheFolderLoad()
    {
        // The model's folder itself reached through a link, and the data through another one inside it.
        var weights = TestData.SeededValues(6, 2);
        Directory.CreateDirectory(Path.Combine(_directory, "real"));
        File.WriteAllBytes(Path.Combine(_directory, "real", "data.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
        File.CreateSymbolicLink(Path.Combine(_directory, "real", "weights.bin"), "data.bin");
        var linkedFolder = Path.Combine(_directory, "linked");
        Directory.CreateSymbolicLink(linkedFolder, Path.Combine(_directory, "real"));
        var path = Path.Combine(linkedFolder, "model.onnx");
        File.WriteAllBytes(path, ModelWithExternalWeights("weights.bin"));

        var graph = OnnxModel.Load(path);
        CollectionAssert.AreEqual(weights, ((Sparsify.Core.Ir.Layers.ConvLayer)graph.Layers[0]).Weights.Data);
    }

    private static void SkipWithout(string device)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(device))
        {
            Assert.Inconclusive($"{device} is a Unix device");
        }
    }

    private SparsifyModelException LoadFails(byte[] bytes, string? fifo = null)
    {
        var path = Path.Combine(_directory, "model.onnx");
        File.WriteAllBytes(path, bytes);
        var e = SpecialFiles.Throws<SparsifyModelException>(() => OnnxModel.Load(path), fifo);
        StringAssert.StartsWith(e.Message, path + ": ");
        return e;
    }

    private static byte[] ModelWithExternalWeights(string location)
    {
        var model = new OnnxProtoBuilder().Input("x", 1, 3, 4, 4);
        model.Node("Conv", ["x", "w"], "y");
        var tensor = new TensorProto { Name = "w", DataType = 1, Dims = { 2, 3, 1, 1 }, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        model.Graph.Initializer.Add(tensor);
        return model.Output("y").Bytes();
    }
}
