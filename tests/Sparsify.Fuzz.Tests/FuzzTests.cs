namespace Sparsify.Fuzz.Tests;

/// <summary>
/// The bounded fuzz runs CI makes on every change: a fixed series of mutated inputs per harness (about
/// a minute in all on two cores). docs/security.md gives the long run and its figures.
/// </summary>
[TestClass]
[TestCategory("Fuzz")]
public sealed class FuzzTests
{
    [TestMethod]
    public void OnnxBytes() => FuzzRunner.Run(
        "onnx bytes", 40_000,
        m => ByteMutator.Mutate(Pick(Corpus.OnnxModels.Value, m), new Script(m.Words)),
        FuzzTargets.ImportOnnx);

    [TestMethod]
    public void OnnxStructure() => FuzzRunner.Run(
        "onnx structure", 40_000,
        m => OnnxMutator.Mutate(Pick(Corpus.OnnxModels.Value, m), new Script(m.Words)),
        FuzzTargets.ImportOnnx);

    [TestMethod]
    public void ManifestText() => FuzzRunner.Run(
        "manifest", 40_000,
        m => ManifestMutator.Mutate(Pick(Corpus.Manifests.Value, m), new Script(m.Words)),
        FuzzTargets.ParseManifest);

    private static T Pick<T>(T[] corpus, Mutation m) => corpus[m.Seed % corpus.Length];
}
