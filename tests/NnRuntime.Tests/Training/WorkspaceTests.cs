namespace NnGen.Tests.Training;

public class WorkspaceTests
{
    [Fact]
    public void Workspace_GrowsOnDemand_ReturnsRequestedLength()
    {
        var workspace = new Workspace();
        Assert.Equal(10, workspace.GetSpan(10).Length);
        Assert.Equal(3, workspace.GetSpan(3).Length);
        Assert.Equal(10, workspace.Capacity);
    }
}
