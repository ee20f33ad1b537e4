using Sparsify.Tasks.Tool;

namespace Sparsify.Tasks.Tests;

[TestClass]
public sealed class ModelItemsFileTests
{
    [TestMethod]
    public void ItemsAndMetadataOfAnyTextRoundTrip()
    {
        var metadata = new Dictionary<string, string>
        {
            ["Sparsity"] = "0.9",
            ["LayerPlan"] = "conv 2=SparseTable; fc\\1=Dense",
            ["ClassName"] = string.Empty,
            ["Odd name"] = "line\nbreak\r\n\\n literal\\s",
        };
        var text = ModelItemsFile.Write([("models/my model.onnx", metadata), ("/abs/other.onnx", [])]);

        var items = ModelItemsFile.Read(text);
        Assert.HasCount(2, items);
        Assert.AreEqual("models/my model.onnx", items[0].Path);
        CollectionAssert.AreEquivalent(metadata.ToArray(), items[0].Metadata.ToArray());
        Assert.AreEqual("/abs/other.onnx", items[1].Path);
        Assert.IsEmpty(items[1].Metadata);
        Assert.HasCount(6, text.TrimEnd('\n').Split('\n'), "one line a value");
    }
}
