"""Flask extensions, created unbound and bound to an app in the factory."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints let Alembic alter and drop them the same way on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
login = LoginManager()
limiter = Limiter(key_func=get_remote_address)

# The base of every model. A type checker cannot take a base class from an attribute made
# at run time (db.Model), so it reads it as what db.Model is: a declarative base with
# Flask-SQLAlchemy's additions. At run time it is db.Model itself.
if TYPE_CHECKING:
    from typing import ClassVar

    from flask_sqlalchemy.model import Model as FlaskModel
    from sqlalchemy import Table
    from sqlalchemy.orm import DeclarativeBase

    class Model(FlaskModel, DeclarativeBase):
        """A model: its columns, relationships and table are declared by its annotations."""

        # Every model here maps one table of its own (no inheritance mapping).
        __table__: ClassVar[Table]

else:
    Model = db.Model
