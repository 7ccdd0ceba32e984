using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NnGen.Data;
using Xunit.Abstractions;

namespace NnGen.Tests.Data;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nngen-csv-" + Guid.NewGuid().ToString("N"));

    public CsvDatasetTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_LabelLast_ReadsFeaturesAndLabelsInFileOrder()
    {
        string path = Write("x1,x2,label\n1.5,-2,0\n3e-1,4.25,1\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.Last);

        Assert.Equal(2, dataset.Count);
        Assert.Equal(2, dataset.InputSize);
        Assert.Equal(1, dataset.LabelSize);
        Assert.Equal([1.5f, -2f, 0.3f, 4.25f], dataset.Inputs);
        Assert.Equal([0f, 1f], dataset.Labels);
    }

    [Fact]
    public void Load_LabelFirstWithScale_ScalesFeaturesNotLabels()
    {
        string path = Write("label,p0,p1\n1,255,51\n0,0,128\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.First, 1.0 / 255);

        Assert.Equal([1f, 0.2f, 0f, (float)(128 / 255.0)], dataset.Inputs);
        Assert.Equal([1f, 0f], dataset.Labels);
    }

    [Fact]
    public void Load_EveryPixelValueScaledBy1Over255_EqualsNumPyDivisionBy255()
    {
        // numpy computes X / 255. in double; the float must be that quotient rounded once, for every byte value.
        string path = Write("label," + string.Join(',', Enumerable.Range(0, 256).Select(i => "p" + i)) + "\n"
            + "1," + string.Join(',', Enumerable.Range(0, 256)) + "\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.First, 1.0 / 255);

        for (int pixel = 0; pixel < 256; pixel++)
        {
            Assert.Equal((float)(pixel / 255.0), dataset.Inputs[pixel]);
        }
    }

    [Fact]
    public void Load_BomCrlfSpacesAndTrailingBlankLines_AreAccepted()
    {
        string path = Write("\uFEFFa,b,label\r\n 1 , 2 ,1\r\n3,4,0\r\n\r\n\r\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.Last);

        Assert.Equal([1f, 2f, 3f, 4f], dataset.Inputs);
        Assert.Equal([1f, 0f], dataset.Labels);
    }

    [Fact]
    public void Load_ManyRows_GrowsBuffersAndKeepsEveryRow()
    {
        var text = new StringBuilder("x,label\n");
        for (int i = 0; i < 1000; i++)
        {
            text.Append(i).Append(',').Append(i % 2).Append('\n');
        }

        Dataset dataset = CsvDataset.Load(Write(text.ToString()), CsvLabelColumn.Last);

        Assert.Equal(1000, dataset.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), dataset.Inputs);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)(i % 2)), dataset.Labels);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        string path = Path.Combine(_directory, "absent.csv");

        var exception = Assert.Throws<FileNotFoundException>(() => CsvDataset.Load(path, CsvLabelColumn.First));

        Assert.Equal(path, exception.FileName);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RowWithTooFewColumns_ThrowsNamingLineAndBothCounts()
    {
        string path = Write("x1,x2,label\n1,2,0\n3,4\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 3: expected 3 columns, found 2.", exception.Message);
    }

    [Fact]
    public void Load_RowWithTooManyColumns_ThrowsNamingLineAndBothCounts()
    {
        string path = Write("label,p0\n1,2\n0,3\n1,4,5\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.First));

        Assert.Equal($"{path} line 4: expected 2 columns, found 3.", exception.Message);
    }

    [Fact]
    public void Load_NonNumericValue_ThrowsNamingLineColumnHeaderAndText()
    {
        string path = Write("x1,x2,label\n1,2,0\n3,abc,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 3, column 2 (x2): 'abc' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_NonNumericLabel_ThrowsNamingLabelColumn()
    {
        string path = Write("label,p0\ncat,2\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.First));

        Assert.Equal($"{path} line 2, column 1 (label): 'cat' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_TruncatedExponent_ThrowsNamingValue()
    {
        string path = Write("x,label\n2.5e,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 2, column 1 (x): '2.5e' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_EmptyField_ThrowsSayingItIsEmpty()
    {
        string path = Write("x1,x2,label\n1,,0\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 2, column 2 (x2): expected a number, found an empty field.", exception.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Load_NonFiniteValue_Throws(string value)
    {
        string path = Write($"x,label\n{value},1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 2, column 1 (x): '{value}' is not a finite number.", exception.Message);
    }

    [Fact]
    public void Load_ValueBeyondFloatRange_Throws()
    {
        string path = Write("x,label\n1e39,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 2, column 1 (x): '1e39' is outside the range of float after scaling.", exception.Message);
    }

    [Fact]
    public void Load_LongBadValue_IsQuotedTruncated()
    {
        string junk = new('z', 100);
        string path = Write($"x,label\n{junk},1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 2, column 1 (x): '{new string('z', 40)}...' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_BlankLineBetweenRows_ThrowsNamingBothLines()
    {
        string path = Write("x,label\n1,0\n\n2,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 3: expected 2 columns, found an empty line (data continues on line 4).", exception.Message);
    }

    [Fact]
    public void Load_EmptyFile_ThrowsExpectingHeader()
    {
        string path = Write(string.Empty);

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 1: expected a header line, but the file is empty.", exception.Message);
    }

    [Fact]
    public void Load_HeaderOnly_ThrowsNoDataRows()
    {
        string path = Write("x1,x2,label\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal($"{path}: no data rows after the header on line 1; expected at least one row of 3 columns.", exception.Message);
    }

    [Fact]
    public void Load_SingleColumnHeader_ThrowsNeedingAFeature()
    {
        string path = Write("label\n1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.First));

        Assert.Equal($"{path} line 1: expected 1 label column and at least one feature column, found 1 column in the header ('label').", exception.Message);
    }

    [Fact]
    public void LoadClassification_TextLabels_MapToOrdinallySortedClassIndices()
    {
        string path = Write("sepal,petal,species\n5.1,1.4,setosa\n6.3,6.0,\"virginica\"\n5.7,4.2, versicolor \n4.9,1.5,setosa\n7.7,6.7,Virginica\n");

        Dataset dataset = CsvDataset.LoadClassification(path, CsvLabelColumn.Last);

        // Ordinal order puts upper case first: "Virginica" < "setosa" < "versicolor" < "virginica".
        Assert.Equal(["Virginica", "setosa", "versicolor", "virginica"], dataset.ClassNames!);
        Assert.Equal([1f, 3f, 2f, 1f, 0f], dataset.Labels);
        Assert.Equal([5.1f, 1.4f, 6.3f, 6.0f, 5.7f, 4.2f, 4.9f, 1.5f, 7.7f, 6.7f], dataset.Inputs);
        Assert.Equal(1, dataset.LabelSize);
    }

    [Fact]
    public void LoadClassification_MappingDoesNotDependOnRowOrder()
    {
        Dataset forward = CsvDataset.LoadClassification(Write("label,x\ncat,1\ndog,2\nbird,3\n"), CsvLabelColumn.First);
        Dataset backward = CsvDataset.LoadClassification(Write("label,x\nbird,3\ndog,2\ncat,1\n"), CsvLabelColumn.First);

        Assert.Equal(["bird", "cat", "dog"], forward.ClassNames!);
        Assert.Equal(forward.ClassNames!, backward.ClassNames!);
        Assert.Equal([1f, 2f, 0f], forward.Labels);
        Assert.Equal([0f, 2f, 1f], backward.Labels);
    }

    [Fact]
    public void LoadClassification_GivenClasses_UsesTheirIndicesAndOneHotFollows()
    {
        string path = Write("x,label\n1,dog\n2,cat\n");

        Dataset dataset = CsvDataset.LoadClassification(path, CsvLabelColumn.Last, ["dog", "cat", "bird"]);

        Assert.Equal([0f, 1f], dataset.Labels);
        Assert.Equal(["dog", "cat", "bird"], dataset.ClassNames!);
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], dataset.ToOneHot().Labels);
    }

    [Fact]
    public void LoadClassification_UnknownClass_ThrowsNamingCellAndKnownClasses()
    {
        string path = Write("x,label\n1,dog\n2,horse\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last, ["dog", "cat"]));

        Assert.Equal($"{path} line 3, column 2 (label): 'horse' is not one of the 2 classes (dog, cat).", exception.Message);
    }

    [Fact]
    public void LoadClassification_EmptyClassName_ThrowsNamingCell()
    {
        string path = Write("x,label\n1,dog\n2,\"\"\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 3, column 2 (label): expected a class name, found an empty field.", exception.Message);
    }

    [Fact]
    public void LoadClassification_OneClassOnly_ThrowsExpectingTwo()
    {
        string path = Write("x,label\n1,dog\n2,dog\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last));

        Assert.Equal($"{path}: every row has the class 'dog'; expected at least 2 classes in the label column.", exception.Message);
    }

    [Fact]
    public void LoadClassification_BadFeature_ReportsFirstBadCellAsLoadDoes()
    {
        string path = Write("x1,x2,label\n1,2,a\n3,abc,b\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last));

        Assert.Equal($"{path} line 3, column 2 (x2): 'abc' is not a number.", exception.Message);
        Assert.Equal($"{path} line 3: expected 3 columns, found 2.", Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(Write("x1,x2,label\n1,2,a\n3,b\n"), CsvLabelColumn.Last)).Message);
    }

    [Fact]
    public void LoadClassification_BadClassList_ThrowsBeforeReading()
    {
        string path = Write("x,label\n1,dog\n");

        Assert.Contains("also class 0", Assert.Throws<ArgumentException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last, ["dog", "dog"])).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => CsvDataset.LoadClassification(Path.Combine(_directory, "absent.csv"), CsvLabelColumn.Last));
    }

    [Fact]
    public void Load_InvalidArguments_Throw()
    {
        string path = Write("x,label\n1,0\n");

        Assert.Throws<ArgumentNullException>(() => CsvDataset.Load(null!, CsvLabelColumn.Last));
        Assert.Throws<ArgumentException>(() => CsvDataset.Load(string.Empty, CsvLabelColumn.Last));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, (CsvLabelColumn)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, CsvLabelColumn.Last, double.NaN));
    }

    [DataFact("catvnoncat/train.csv")]
    public void Load_CatTrain_Has209RowsOf12288PixelsAnd72Cats()
    {
        string path = SharedData.Find("catvnoncat/train.csv");

        var stopwatch = Stopwatch.StartNew();
        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.First, 1.0 / 255);
        stopwatch.Stop();
        _output.WriteLine($"Loaded {new FileInfo(path).Length} bytes ({dataset.Count} x {dataset.InputSize}) in {stopwatch.Elapsed.TotalMilliseconds:F1} ms.");

        Assert.Equal(209, dataset.Count);
        Assert.Equal(12288, dataset.InputSize);
        Assert.Equal(72, dataset.Labels.Count(label => label == 1f));
        Assert.Equal(137, dataset.Labels.Count(label => label == 0f));
        AssertPixels([196, 192, 190, 193, 186, 182, 188, 179, 174, 213], dataset.Inputs.AsSpan(12288, 10));
        Assert.All(dataset.Inputs, value => Assert.InRange(value, 0f, 1f));
    }

    [DataFact("catvnoncat/test.csv")]
    public void Load_CatTest_Has50RowsAnd33Cats()
    {
        Dataset dataset = CsvDataset.Load(SharedData.Find("catvnoncat/test.csv"), CsvLabelColumn.First, 1.0 / 255);

        Assert.Equal(50, dataset.Count);
        Assert.Equal(12288, dataset.InputSize);
        Assert.Equal(33, dataset.Labels.Count(label => label == 1f));
        AssertPixels([115, 110, 111, 137, 129, 129, 155, 146, 145, 159], dataset.Inputs.AsSpan(12288, 10));
    }

    private static void AssertPixels(int[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Select(p => (float)(p / 255.0)), actual.ToArray());
    }

    [Fact]
    public void Load_HeaderlessFile_ThrowsNamingTheNumericHeaderCellInsteadOfLosingRowOne()
    {
        // wine.csv as numpy.savetxt writes it: no header, so line 1 is the first example.
        string path = Write("14.23,1.71,2.43,0\n13.2,1.78,2.14,0\n12.37,0.94,1.36,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last));

        Assert.Equal(
            $"{path} line 1, column 1: expected a column name in the header line, found the number '14.23'; if the file has no header line, pass header: CsvHeader.None (line 1 is then the first example), or CsvHeader.Unchecked if its columns really are named by numbers.",
            exception.Message);
    }

    [Fact]
    public void Load_HeaderNone_ReadsLineOneAsTheFirstExample()
    {
        string path = Write("14.23,1.71,0\n13.2,1.78,1\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.Last, header: CsvHeader.None);

        Assert.Equal([14.23f, 1.71f, 13.2f, 1.78f], dataset.Inputs);
        Assert.Equal([0f, 1f], dataset.Labels);
    }

    [Fact]
    public void Load_HeaderNone_BadValueIsNamedByLineAndColumnNumber()
    {
        string path = Write("1,2,0\n3,x,1\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last, header: CsvHeader.None));

        Assert.Equal($"{path} line 2, column 2: 'x' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_HeaderUnchecked_AcceptsNumberedColumnNames()
    {
        // pandas writes an unnamed array's columns as 0,1,2.
        string path = Write("0,1,2\n5,6,1\n");

        Dataset dataset = CsvDataset.Load(path, CsvLabelColumn.Last, header: CsvHeader.Unchecked);

        Assert.Equal([5f, 6f], dataset.Inputs);
        Assert.Equal([1f], dataset.Labels);
    }

    [Fact]
    public void LoadClassification_HeaderlessFile_ThrowsLikeLoad()
    {
        string path = Write("5.1,3.5,setosa\n4.9,3.0,setosa\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last));

        Assert.StartsWith($"{path} line 1, column 1: expected a column name in the header line, found the number '5.1'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CsvLabelColumn.Last, "Chins,Situps,Jumps,Weight,Waist,Pulse\n5,162,60,191,36,50\n2,110,60,189,37,52\n")]
    [InlineData(CsvLabelColumn.First, "Weight,Waist,Pulse,Chins,Situps,Jumps\n191,36,50,5,162,60\n189,37,52,2,110,60\n")]
    public void Load_ThreeLabelColumns_GivesLabelRowsOfThreeInColumnOrder(CsvLabelColumn where, string content)
    {
        // linnerud: three exercise features, three physiological targets.
        Dataset dataset = CsvDataset.Load(Write(content), where, labelColumns: 3);

        Assert.Equal(3, dataset.InputSize);
        Assert.Equal(3, dataset.LabelSize);
        Assert.Equal([5f, 162f, 60f, 2f, 110f, 60f], dataset.Inputs);
        Assert.Equal([191f, 36f, 50f, 189f, 37f, 52f], dataset.Labels);
    }

    [Fact]
    public void Load_ThreeLabelColumns_BadTargetIsNamedByItsColumn()
    {
        string path = Write("a,b,y1,y2\n1,2,3,4\n1,2,3,?\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last, labelColumns: 2));

        Assert.Equal($"{path} line 3, column 4 (y2): '?' is not a number.", exception.Message);
    }

    [Fact]
    public void Load_LabelColumnsLeavingNoFeature_Throws()
    {
        string path = Write("y1,y2\n1,2\n");

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, CsvLabelColumn.Last, labelColumns: 2));

        Assert.Equal($"{path} line 1: expected 2 label columns and at least one feature column, found 2 columns in the header ('y1,y2').", exception.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, CsvLabelColumn.Last, labelColumns: 0));
    }

    [Fact]
    public void LoadClassification_ContinuousTarget_ThrowsNamingLineColumnAndCounts()
    {
        // A diabetes-like regression target read as classes: every value is new.
        var text = new StringBuilder("age,bmi,progression\n");
        for (int i = 0; i < 40; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i * 0.01:R},{i * 0.02:R},{100 + (i * 3.7):R}\n");
        }

        string path = Write(text.ToString());

        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(path, CsvLabelColumn.Last));

        // The limit is max(10, 40 / 2) = 20 classes: the 21st distinct value, on line 22, passes it.
        Assert.Equal(
            $"{path} line 22, column 3 (progression): the label column holds 40 distinct values in 40 rows ('174' here is new value 21, more than 50 % of the rows), which looks like a continuous target rather than classes; load it with CsvDataset.Load (regression), or pass classNames if these really are classes.",
            exception.Message);
    }

    [Fact]
    public void LoadClassification_TenDigitClassesInASmallFile_AreClasses()
    {
        var text = new StringBuilder("x,digit\n");
        for (int i = 0; i < 12; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{i % 10}\n");
        }

        Dataset dataset = CsvDataset.LoadClassification(Write(text.ToString()), CsvLabelColumn.Last);

        Assert.Equal(10, dataset.ClassNames!.Count);
    }

    [Fact]
    public void LoadClassification_ManyGivenClasses_AreNotChecked()
    {
        string[] classes = Enumerable.Range(0, 30).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        string path = Write("x,label\n" + string.Concat(classes.Select((c, i) => $"{i},{c}\n")));

        Dataset dataset = CsvDataset.LoadClassification(path, CsvLabelColumn.Last, classes);

        Assert.Equal(30, dataset.Count);
    }

    [Fact]
    public void Load_Directory_SaysItIsADirectory()
    {
        var exception = Assert.Throws<IOException>(() => CsvDataset.Load(_directory, CsvLabelColumn.Last));

        Assert.IsNotType<FileNotFoundException>(exception);
        Assert.Equal($"'{_directory}' is a directory (full path '{Path.GetFullPath(_directory)}'); expected a CSV file.", exception.Message);
    }

    [Fact]
    public async System.Threading.Tasks.Task Load_NamedPipe_ReadsEveryRow()
    {
        // <(zcat train.csv.gz) and /dev/stdin are pipes: they have no length and cannot seek.
        Assert.False(OperatingSystem.IsWindows(), "This test needs a POSIX named pipe (mkfifo).");
        string pipe = Path.Combine(_directory, "pipe.csv");
        using (Process mkfifo = Process.Start("mkfifo", pipe))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var text = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 3000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{-i},{i % 2}\n");
        }

        // Opening a pipe for writing blocks until the reader opens it, so the writer runs on its own thread.
        var writer = System.Threading.Tasks.Task.Run(() => File.WriteAllText(pipe, text.ToString()));
        Dataset dataset = CsvDataset.Load(pipe, CsvLabelColumn.Last);
        await writer;

        Assert.Equal(3000, dataset.Count);
        Assert.Equal([2999f, -2999f], dataset.Inputs[^2..]);
        Assert.Equal(1f, dataset.Labels[^1]);
    }

    private string Write(string content)
    {
        string path = Path.Combine(_directory, "data.csv");
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }
}
