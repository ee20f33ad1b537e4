using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;
using static Sparsify.Core.Tests.Sparsity.SparsityFixtures;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>Each bad input gives an exception whose message names the setting and the valid values.</summary>
[TestClass]
public sealed class SparsityBadInputTests
{
    [TestMethod]
    [DataRow(-0.1)]
    [DataRow(1.0)]
    [DataRow(1.5)]
    [DataRow(double.NaN)]
    public void SparsityOutsideZeroToOne(double sparsity)
    {
        foreach (var scheme in SparsitySchemes.All)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scheme.Prune(Fc(8, 8), sparsity, SchemeSettings.Default), scheme.Name);
            StringAssert.Contains(e.Message, "must be in [0, 1)");
        }

        var model = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "unstructured", new ModelPruningOptions { Sparsity = sparsity }));
        StringAssert.Contains(model.Message, "must be in [0, 1)");
    }

    [TestMethod]
    public void UnknownSchemeListsTheValidOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => SparsitySchemes.Get("random"));
        StringAssert.Contains(e.Message, "unknown sparsity scheme 'random'; valid schemes: unstructured, balanced, locality, nm, filter, keep");
        Assert.AreEqual("locality", SparsitySchemes.Get(" Locality ").Name);
    }

    [TestMethod]
    public void SettingsOutOfRangeNameTheSetting()
    {
        var cases = new (SchemeSettings Settings, string Name)[]
        {
            (SchemeSettings.Default with { GroupSize = 0 }, "GroupSize"),
            (SchemeSettings.Default with { PeCount = -2 }, "PeCount"),
            (SchemeSettings.Default with { BufferBytesPerPe = 0 }, "BufferBytesPerPe"),
            (SchemeSettings.Default with { IndexBits = 17 }, "IndexBits"),
            (SchemeSettings.Default with { N = 5, M = 4 }, "N"),
        };
        foreach (var (settings, name) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LocalityScheme().Prune(Fc(8, 8), 0.5, settings));
            Assert.AreEqual(name, e.ParamName);
            StringAssert.Contains(e.Message, $"scheme setting {name} must be");
        }
    }

    [TestMethod]
    public void AGroupSizeThatDoesNotDivideIsPaddedNotRejected()
    {
        // G larger than the layer: one short group, padded and reported.
        var report = new LocalityScheme().Prune(Fc(5, 20), 0.5, SchemeSettings.Default).Report;
        Assert.AreEqual(3, report.PaddedRows);
        Assert.AreEqual(1, report.PartitionsUsed);
        Assert.IsTrue(report.Notes.Any(n => n.Contains("only 1 of 16 PEs", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void UnknownLayerNamesListTheValidOnes()
    {
        var lenet = ModelBuilders.LeNet5();
        var missing = Assert.ThrowsExactly<ArgumentException>(() => ModelPruner.ComputeMasks(
            lenet, "unstructured", new ModelPruningOptions { LayerSparsities = new Dictionary<string, double> { ["conv9"] = 0.5 } }));
        StringAssert.Contains(missing.Message, "LayerSparsities: the model 'LeNet5' has no layer 'conv9'; prunable layers: conv1, conv2, fc1, fc2");

        var weightless = Assert.ThrowsExactly<ArgumentException>(() => ModelPruner.ComputeMasks(
            lenet, "unstructured", new ModelPruningOptions { ExcludedLayers = ["pool1"] }));
        StringAssert.Contains(weightless.Message, "ExcludedLayers: layer 'pool1' is a MaxPool and has no weights to prune");
    }

    [TestMethod]
    public void AnUnreachableTargetSaysHowFarTheModelCanGo()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelPruner.ComputeMasks(
            ModelBuilders.LeNet5(), "locality", new ModelPruningOptions { Sparsity = 0.99, Allocation = SparsityAllocation.Uniform }));
        StringAssert.Contains(e.Message, "global sparsity 0.99 is out of reach: with conv1 dense");
        StringAssert.Contains(e.Message, "reaches at most 0.9789");
    }

    [TestMethod]
    public void ALayerBothExcludedAndGivenASparsity()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "unstructured", new ModelPruningOptions
        {
            ExcludedLayers = ["fc1"],
            LayerSparsities = new Dictionary<string, double> { ["fc1"] = 0.5 },
        }));
        StringAssert.Contains(e.Message, "'fc1' is both in ExcludedLayers and in LayerSparsities");
    }

    [TestMethod]
    public void AnNmPatternThatCannotGiveALayersSparsityNamesTheLayer()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "nm", new ModelPruningOptions
        {
            LayerSparsities = new Dictionary<string, double> { ["fc1"] = 0.6 },
        }));
        StringAssert.StartsWith(e.Message, "layer 'fc1': the nm scheme with M=4 cannot remove 0.6 of the weights");
    }

    [TestMethod]
    public void NonFiniteWeightsNameTheLayer()
    {
        var matrix = Fc(4, 4);
        matrix.Values[6] = float.NaN;
        var e = Assert.ThrowsExactly<SparsifyModelException>(() => new UnstructuredScheme().Prune(matrix, 0.5, SchemeSettings.Default));
        StringAssert.Contains(e.Message, "node 'fc' (Gemm): weight at row 1, column 2 is NaN");
    }

    [TestMethod]
    public void BadSensitivitySettings()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "locality", new ModelPruningOptions
        {
            Sparsity = 0.5,
            Sensitivity = new SensitivityOptions { MaxLayerSparsity = 1.0 },
        }));
        Assert.AreEqual("MaxLayerSparsity", e.ParamName);
    }
}
