using System.CommandLine;
using DaprOrders.OrderCli;

var root = new RootCommand("DaprOrders command line: submit orders to the Ordering service and watch their outcomes.")
{
    SubmitCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
