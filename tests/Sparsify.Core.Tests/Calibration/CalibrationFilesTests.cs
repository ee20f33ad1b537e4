using Sparsify.Core.Calibration;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Calibration;

[TestClass]
public sealed class CalibrationFilesTests
{
    private string _dir = null!;

    [TestInitialize]
    public void CreateFolder()
    {
        _dir = TestData.TempDirectory();
        foreach (var name in new[] { "b.jpg", "a.PNG", "c.jpeg", "d.f32", "notes.txt", "e.png" })
        {
            File.WriteAllBytes(Path.Combine(_dir, name), [1]);
        }

        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.WriteAllBytes(Path.Combine(_dir, "sub", "deep.jpg"), [1]);
    }

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void AFolderGivesItsImagesAndTensorsSortedNotRecursive()
    {
        var files = CalibrationFiles.Resolve(_dir, null);
        CollectionAssert.AreEqual(new[] { "a.PNG", "b.jpg", "c.jpeg", "d.f32", "e.png" }.Select(Full).ToArray(), files.ToArray());
    }

    [TestMethod]
    public void RelativePartsAreTakenFromTheBaseDirectory()
    {
        CollectionAssert.AreEqual(new[] { Full("b.jpg") }, CalibrationFiles.Resolve("b.jpg", _dir).ToArray());
        CollectionAssert.AreEqual(new[] { Path.Combine(_dir, "sub", "deep.jpg") }, CalibrationFiles.Resolve("sub", _dir).ToArray());
    }

    [TestMethod]
    public void AGlobMatchesFileNamesOnly()
    {
        CollectionAssert.AreEqual(new[] { Full("b.jpg") }, CalibrationFiles.Resolve("*.jpg", _dir).ToArray());
        CollectionAssert.AreEqual(new[] { Full("e.png") }, CalibrationFiles.Resolve(Path.Combine(_dir, "?.png"), null).ToArray());

        // A glob is explicit, so it matches any extension; loading then refuses what is no calibration file.
        CollectionAssert.AreEqual(new[] { Full("notes.txt") }, CalibrationFiles.Resolve("n*", _dir).ToArray());
    }

    [TestMethod]
    public void PartsSeparatedBySemicolonsAreMergedSortedAndDeduplicated()
    {
        var files = CalibrationFiles.Resolve(" e.png ; *.jpg;;b.jpg;" + Full("a.PNG") + ";" + _dir, _dir);
        CollectionAssert.AreEqual(new[] { "a.PNG", "b.jpg", "c.jpeg", "d.f32", "e.png" }.Select(Full).ToArray(), files.ToArray());
    }

    [TestMethod]
    public void APartThatMatchesNothingIsAnErrorNamingIt()
    {
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve("b.jpg;missing.jpg", _dir))
            .AssertNames("missing.jpg", CalibrationSettings.Files, "does not exist");
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve("*.bmp", _dir))
            .AssertNames("*.bmp", CalibrationSettings.Files, "no file matches");
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve("nowhere/*.jpg", _dir))
            .AssertNames("nowhere/*.jpg", CalibrationSettings.Files, "folder does not exist");
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve("s*/deep.jpg", _dir))
            .AssertNames("s*/deep.jpg", CalibrationSettings.Files, "only stand in the file name");
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve("empty", _dir))
            .AssertNames("empty", CalibrationSettings.Files, "holds no .jpg");
        CalibrationFixtures.Fails(() => CalibrationFiles.Resolve(" ; ", _dir))
            .AssertNames(null, CalibrationSettings.Files, "no calibration files");
    }

    [TestMethod]
    public void SelectTakesEvenlySpacedFilesDeterministically()
    {
        var files = Enumerable.Range(0, 10).Select(i => $"/img/{i:D2}.jpg").Reverse().ToArray();
        var picked = CalibrationFiles.Select(files, 4);
        CollectionAssert.AreEqual(new[] { "/img/00.jpg", "/img/02.jpg", "/img/05.jpg", "/img/07.jpg" }, picked.ToArray());
        CollectionAssert.AreEqual(picked.ToArray(), CalibrationFiles.Select(files.Reverse().ToArray(), 4).ToArray());
        Assert.HasCount(10, CalibrationFiles.Select(files, 10));
        CollectionAssert.AreEqual(files.Order(StringComparer.Ordinal).ToArray(), CalibrationFiles.Select(files, 50).ToArray());
        CalibrationFixtures.Fails(() => CalibrationFiles.Select(files, 0)).AssertNames(null, CalibrationSettings.Count, "at least 1");
    }

    private string Full(string name) => Path.Combine(_dir, name);
}
