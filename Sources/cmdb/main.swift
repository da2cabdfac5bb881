import CMDBCommands

CMDBMain.run()
